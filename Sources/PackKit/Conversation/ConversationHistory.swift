/// The recent turns of a conversation as chat messages for a model, newest kept first within a token budget
/// (a turn that does not fit ends the history: older turns matter less than the ones after them).
public enum ConversationHistory {
    /// At most this share of the prompt's budget goes to earlier turns, and never more than `maxTokens`.
    public static let share = 0.25
    public static let maxTokens = 1500

    /// Messages for `turns` (oldest first): each question and the answer given, within `budget` tokens.
    public static func messages(_ turns: [ConversationTurn], budget: Int) -> [PromptBuilder.Message] {
        var kept: [PromptBuilder.Message] = []
        var used = 0
        for turn in turns.reversed() {
            let pair = [PromptBuilder.Message(role: "user", text: turn.question),
                        PromptBuilder.Message(role: "assistant", text: turn.answer)]
            let cost = pair.reduce(0) { $0 + LLMAnswerer.estimateTokens($1.text) + 4 }
            guard used + cost <= budget else { break }
            used += cost
            kept.insert(contentsOf: pair, at: 0)
        }
        return kept
    }

    /// The history budget for a model's settings.
    public static func budget(_ settings: LLMSettings) -> Int {
        min(maxTokens, Int(Double(max(0, settings.contextTokens - settings.maxNewTokens)) * share))
    }
}
