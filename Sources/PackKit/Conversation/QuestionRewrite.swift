import Foundation

/// A follow-up rewritten by the model into a question that stands alone, for retrieval: one short call with
/// the recent turns, before the evidence is searched ("searching for: …" is shown).
public enum QuestionRewrite {
    static let instructions = """
        You rewrite the user's last question so that it can be understood without the conversation: replace \
        pronouns and references ("it", "that", "the example") with what they refer to. Keep the user's words \
        otherwise. If the question already stands alone, repeat it unchanged. Reply with the question only, on \
        one line, without quotes or explanations.
        """
    /// Longest rewrite kept (characters); a longer reply is not a question.
    static let maxLength = 400

    /// The messages of the rewrite call.
    public static func messages(question: String, history: [PromptBuilder.Message]) -> [PromptBuilder.Message] {
        var lines = ["Conversation so far:"]
        for message in history {
            lines.append((message.role == "user" ? "User: " : "Assistant: ") + message.text)
        }
        lines += ["", "Last question: \(question)", "", "Standalone question:"]
        return [PromptBuilder.Message(role: "system", text: instructions), PromptBuilder.Message(role: "user", text: lines.joined(separator: "\n"))]
    }

    /// The standalone question the model wrote for `question`, or `question` itself when the reply is empty or
    /// not a question's length.
    public static func rewrite(_ question: String, history: [PromptBuilder.Message], model: AnswerModel) async throws(LLMError) -> String {
        let completion = try await model.client.complete(messages(question: question, history: history), stream: false, onDelta: { _ in })
        return cleaned(completion.text) ?? question
    }

    /// The reply's first non-empty line without surrounding quotes or a "Standalone question:" label.
    static func cleaned(_ reply: String) -> String? {
        guard var line = reply.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        for label in ["standalone question:", "question:"] where line.lowercased().hasPrefix(label) {
            line = String(line.dropFirst(label.count)).trimmingCharacters(in: .whitespaces)
        }
        line = line.trimmingCharacters(in: CharacterSet(charactersIn: "\"'“”"))
        guard !line.isEmpty, line.count <= maxLength else { return nil }
        return line
    }
}
