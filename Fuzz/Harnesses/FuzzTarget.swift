/// One fuzz target: a parser of outside bytes driven the way ytce drives it, plus the properties it promises.
///
/// `run` gets one input and must return normally for every input a parser should refuse with an error; a crash
/// (a trap, an ASan report, a broken promise checked with `require`) is a finding that libFuzzer saves.
struct FuzzTarget: Sendable {
    /// The name `scripts/fuzz` and `YTCE_FUZZ_TARGET` use.
    let name: String
    /// What it feeds and what it checks, for `scripts/fuzz --list`.
    let summary: String
    /// Largest input worth trying (libFuzzer's `-max_len`): enough for the format's structure and the seeds.
    let maxLength: Int
    /// The libFuzzer dictionary of the format's tokens (`Fuzz/dictionaries/NAME.dict`).
    let dictionary: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    /// Every target, in the order `scripts/fuzz` runs them.
    static let all: [FuzzTarget] = [
        CaptionTargets.reader, CaptionTargets.srt, CaptionTargets.vtt, CaptionTargets.sbv, CaptionTargets.jsonTranscript,
        JSONTarget.json, ManifestTarget.manifest, ChannelFilesTarget.channel, EvaluationSetTarget.evalQuestions,
        NpyTargets.header, NpyTargets.matrix, SafeTensorsTarget.safetensors, LexicalIndexTarget.lexicalIndex,
        ZipTargets.zip, ZipTargets.pack,
        SSETarget.sse, RunPodTarget.runpod, S3XMLTarget.s3xml,
        ThemeTarget.theme, ConfigTarget.config, BriefTarget.brief, BriefImportTarget.briefImport, ConversationTarget.conversation, KeyDecoderTarget.keys,
        QuestionTarget.question,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A property the code under test promises; a broken one stops the run with the message (libFuzzer keeps the input).
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("property broken: \(message())", file: file, line: line) }
}
