import Foundation
import PackKit

/// The questions asked of one pack, oldest first, kept across sessions in the state folder
/// (`AppPaths.questionHistory`: `history/<channel id>.txt`, one question per line). Browsed with ↑/↓ like a shell's history.
public struct QuestionHistory: Sendable, Equatable {
    public private(set) var questions: [String]
    /// Where ↑/↓ browsing stands: nil when editing a new line.
    var cursor: Int?
    /// The line being edited before browsing started, given back when browsing passes the newest entry.
    var draft = ""
    public static let limit = 500

    public init(questions: [String] = []) { self.questions = Array(questions.suffix(Self.limit)) }

    /// Reads the history at `path`; while that file does not exist yet, the one at `legacyPath` (where it was kept
    /// before it moved to the state folder).
    public static func load(from path: String, legacyPath: String? = nil) -> QuestionHistory {
        if !FileManager.default.fileExists(atPath: path), let legacyPath {
            return QuestionHistory(questions: LineListFile.read(legacyPath))
        }
        return QuestionHistory(questions: LineListFile.read(path))
    }

    /// Writes the history atomically (temp file + rename).
    public func save(to path: String) throws {
        try LineListFile.write(questions, to: path)
    }

    /// This history followed by `newer` questions, as `add` would keep them.
    public func appending(_ newer: [String]) -> QuestionHistory {
        var merged = QuestionHistory(questions: questions)
        for question in newer { merged.add(question) }
        return merged
    }

    public mutating func add(_ question: String) {
        let line = question.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        cursor = nil
        guard !line.isEmpty else { return }
        if questions.last != line { questions.append(line) }
        if questions.count > Self.limit { questions.removeFirst(questions.count - Self.limit) }
    }

    /// The older entry to show for ↑ (nil at the oldest), remembering `current` as the draft.
    public mutating func older(than current: String) -> String? {
        guard !questions.isEmpty else { return nil }
        let next: Int
        if let cursor { guard cursor > 0 else { return nil }; next = cursor - 1 } else { draft = current; next = questions.count - 1 }
        cursor = next
        return questions[next]
    }

    /// The newer entry for ↓; past the newest, the draft.
    public mutating func newer() -> String? {
        guard let cursor else { return nil }
        if cursor + 1 < questions.count { self.cursor = cursor + 1; return questions[cursor + 1] }
        self.cursor = nil
        return draft
    }
}
