import ArgumentParser

/// The question of `pack ask` and `pack search`: `--question "…"` as the reference's command line takes it, or the
/// words after the options (`ytce pack ask --pack P how do I read a file`), which is what people type first.
struct QuestionOptions: ParsableArguments {
    @Option(help: "The question. In `pack search`, a question in double quotes is an exact phrase (the moments that say it word for word).")
    var question: String?

    @Argument(help: "The question as words after the options (instead of --question).")
    var words: [String] = []

    func validate() throws {
        if question != nil, !words.isEmpty {
            throw ValidationError("give the question once: either --question or words after the options, not both (got also \"\(words.joined(separator: " "))\")")
        }
        if text.allSatisfy(\.isWhitespace) {
            throw ValidationError(question == nil && words.isEmpty
                ? "no question: give it as words after the options or with --question"
                : "the question is empty")
        }
    }

    /// The question as asked.
    var text: String { question ?? words.joined(separator: " ") }
}
