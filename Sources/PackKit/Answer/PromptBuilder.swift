/// Messages for LLM backends, following the reference's contract: system rules that forbid unsupported claims
/// and demand a citation per claim; then the channel, the question, the relevant sections and the evidence
/// lines `[video_id @ mm:ss-mm:ss] text`.
public enum PromptBuilder {
    public struct Message: Sendable, Equatable {
        public var role: String
        public var text: String

        public init(role: String, text: String) {
            self.role = role
            self.text = text
        }
    }

    public static let systemRules = """
        You are a channel-specific expert assistant.
        Only answer using the provided evidence snippets from the channel pack.
        If evidence is insufficient, say so and suggest what to add (which video/transcript is missing).

        For every non-trivial claim, include a citation in the format:
          [video_id @ mm:ss-mm:ss]

        Do not invent citations.
        """

    /// `history`: earlier turns of the conversation (user questions and assistant answers, oldest first), placed
    /// between the rules and the question so a follow-up is read in its context.
    public static func messages(question: String, channelTitle: String, sections: [String], evidence: [SearchHit],
                                history: [Message] = []) -> [Message] {
        var lines = ["Channel: \(channelTitle)", "Question: \(question)"]
        if !sections.isEmpty {
            lines += ["", "Relevant sections (summaries):"] + sections.map { "- \($0)" }
        }
        if !evidence.isEmpty {
            lines += ["", "Evidence snippets (verbatim transcript excerpts):"]
            lines += evidence.map { "\(Citation(videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs)) \($0.text)" }
        }
        lines += ["", "Write the best possible answer. Use citations inline."]
        return [Message(role: "system", text: systemRules)] + history + [Message(role: "user", text: lines.joined(separator: "\n"))]
    }
}
