/// An answer written by a model, checked against the evidence it was given.
public struct LLMAnswer: Sendable {
    /// The final text; citations that point at no evidence carry a visible mark (`LLMAnswerer.inventedMark`).
    public var text: String
    /// The supported citations, in the order they first appear, with the evidence each points at.
    public var sources: [Answer.Source]
    /// Citations that point at nothing the model was given.
    public var invented: [Citation]
    /// True when the first draft cited nothing and the model was asked once more.
    public var regenerated: Bool
    public var completion: LLMCompletion
    /// How many evidence moments fitted into the prompt.
    public var evidenceUsed: Int
}

/// Answers with a model over the retrieved evidence, as the reference does and more strictly: the prompt holds
/// as much evidence as fits the context window, a draft without a citation is regenerated once with a sterner
/// reminder, and every citation of the final text is checked against the evidence given.
public struct LLMAnswerer: Sendable {
    public let client: any LLMClient
    public let settings: LLMSettings

    public init(client: any LLMClient, settings: LLMSettings) {
        self.client = client
        self.settings = settings
    }

    public static let inventedMark = "(not in the evidence)"
    static let reminder = """
        Your previous answer cited nothing. Answer again using only the evidence snippets above, and put a citation \
        [video_id @ mm:ss-mm:ss] copied from an evidence line after every claim. If the evidence does not answer \
        the question, say so.
        """

    /// Token estimate used to fit the prompt: one token per 4 bytes of UTF-8, rounded up, plus 4 per message
    /// (OpenAI's rule of thumb for English; generous for code and non-Latin text, which take more tokens per
    /// byte, so the budget keeps a margin of 10%).
    public static func estimateTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// The messages for `question`, with the best evidence moments that fit `context_tokens - max_new_tokens`
    /// (in ranking order; a moment that does not fit is skipped, so shorter later ones may still enter).
    /// `history`: the conversation's recent turns (already cut to their own budget), which count against this one.
    public func prompt(question: String, channelTitle: String, summaries: [String], hits: [SearchHit],
                       history: [PromptBuilder.Message] = []) -> (messages: [PromptBuilder.Message], used: [SearchHit]) {
        let budget = Int(Double(settings.contextTokens - settings.maxNewTokens) * 0.9)
        func cost(_ messages: [PromptBuilder.Message]) -> Int { messages.reduce(0) { $0 + Self.estimateTokens($1.text) + 4 } }
        var sections = summaries
        while !sections.isEmpty && cost(PromptBuilder.messages(question: question, channelTitle: channelTitle, sections: sections, evidence: [], history: history)) > budget {
            sections.removeLast()
        }
        var used: [SearchHit] = []
        var total = cost(PromptBuilder.messages(question: question, channelTitle: channelTitle, sections: sections, evidence: [], history: history))
        for hit in hits {
            let line = Self.estimateTokens("\(Citation(videoID: hit.videoID, startMs: hit.startMs, endMs: hit.endMs)) \(hit.text)\n")
            if total + line <= budget {
                used.append(hit)
                total += line
            }
        }
        return (PromptBuilder.messages(question: question, channelTitle: channelTitle, sections: sections, evidence: used, history: history), used)
    }

    public func answer(question: String, channelTitle: String, summaries: [String] = [], hits: [SearchHit], stream: Bool,
                       history: [PromptBuilder.Message] = [],
                       onDelta: @Sendable (String) -> Void = { _ in },
                       onRetry: () -> Void = {}) async throws(LLMError) -> LLMAnswer {
        let (messages, used) = prompt(question: question, channelTitle: channelTitle, summaries: summaries, hits: hits, history: history)
        var completion = try await client.complete(messages, stream: stream, onDelta: onDelta)
        var regenerated = false
        if !used.isEmpty && CitationParser.citations(in: completion.text).isEmpty {
            regenerated = true
            onRetry()
            let again = messages + [PromptBuilder.Message(role: "assistant", text: completion.text),
                                    PromptBuilder.Message(role: "user", text: Self.reminder)]
            completion = try await client.complete(again, stream: stream, onDelta: onDelta)
        }
        let checked = Self.check(completion.text, evidence: used)
        return LLMAnswer(text: checked.text, sources: checked.sources, invented: checked.invented, regenerated: regenerated,
                         completion: completion, evidenceUsed: used.count)
    }

    /// Checks each citation of `text` against `evidence`: supported ones become sources (first appearance
    /// order, each once), invented ones are marked in the text and listed.
    public static func check(_ text: String, evidence: [SearchHit]) -> (text: String, sources: [Answer.Source], invented: [Citation]) {
        let spans = evidence.map { Citation(videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }
        var sources: [Answer.Source] = []
        var invented: [Citation] = []
        var marked = text
        for match in CitationParser.citations(in: text).reversed() {
            switch CitationCheck.verdict(for: match.citation, evidence: spans) {
            case .supported(let index):
                let hit = evidence[index]
                // The segments the citation points at, when the evidence knows them; else the whole moment.
                let cited = hit.segments(overlapping: match.citation.startMs, match.citation.endMs)
                let source = Answer.Source(citation: match.citation, title: hit.title, url: hit.url,
                                           segmentIDs: cited.isEmpty ? hit.segmentIDs : cited.map(\.id),
                                           excerpt: cited.isEmpty ? hit.text : SearchHit.text(of: cited))
                if let existing = sources.firstIndex(where: { $0.citation == match.citation }) { sources.remove(at: existing) }
                sources.insert(source, at: 0)
            case .invented:
                if !invented.contains(match.citation) { invented.insert(match.citation, at: 0) }
                // Later matches are handled first, so the UTF-8 offset of this one is unchanged in `marked`.
                let offset = text.utf8.distance(from: text.startIndex, to: match.range.upperBound)
                marked.insert(contentsOf: " " + inventedMark, at: marked.utf8.index(marked.startIndex, offsetBy: offset))
            }
        }
        return (marked, sources, invented)
    }
}
