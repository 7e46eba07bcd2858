import Foundation
import PackKit

/// Reading what RunPod workers return: the text of a COMPLETED job's `output`, and a FAILED job's `error`
/// as one line. Pure functions over `JSONValue`.
public enum RunPodOutput {
    /// Error messages longer than this are cut (with `…`).
    public static let maxErrorLength = 500

    /// The generated text of a job's `output`, or nil when there is none (absent or `null`).
    ///
    /// Understood, also inside a list (RunPod's aggregate of a streaming worker's yields, joined in order):
    /// - a string;
    /// - `{"text": "…"}` (or `text` as a list of strings);
    /// - worker-vllm's classic `{"choices": [{"tokens": ["…", …]}], "usage": {…}}`: the tokens of every
    ///   choice, and of every batch when in a list, joined;
    /// - OpenAI-shaped `{"choices": [{"message": {"content": "…"}}]}`, `{"choices": [{"text": "…"}]}`, and
    ///   streamed `{"choices": [{"delta": {"content": "…"}}]}` chunks.
    /// Anything else comes back as the JSON itself, serialized.
    public static func text(from output: JSONValue?) -> String? {
        guard let output, output != .null else { return nil }
        return extractText(output) ?? JSONValue.serialize(output)
    }

    /// A FAILED job's `error` as one readable line, or nil when there is none.
    ///
    /// The RunPod SDK reports a handler's exception as a JSON-encoded object in the `error` string
    /// (`error_type`, `error_message`, `error_traceback`, `hostname`, `worker_id`…): that becomes
    /// `Type: message`, without the traceback. A plain string is kept (whitespace collapsed); a Python
    /// traceback in text is reduced to its last line, the exception. At most `maxErrorLength` characters.
    public static func errorMessage(from error: JSONValue?) -> String? {
        guard let error, let message = describeError(error, depth: 0) else { return nil }
        let line = oneLine(message)
        guard !line.isEmpty else { return nil }
        return line.count > maxErrorLength ? String(line.prefix(maxErrorLength - 1)) + "…" : line
    }

    // MARK: output

    private static func extractText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            return text
        case .object:
            return objectText(value)
        case .array(let items):
            guard !items.isEmpty else { return nil }
            var text = ""
            for item in items {
                switch item {
                case .string(let piece): text += piece
                case .object: guard let piece = objectText(item) else { return nil }; text += piece
                default: return nil
                }
            }
            return text
        default:
            return nil
        }
    }

    private static func objectText(_ object: JSONValue) -> String? {
        if let text = object["text"], let string = stringOrStrings(text) { return string }
        if let choices = object["choices"]?.arrayValue, !choices.isEmpty {
            var text = ""
            for choice in choices {
                guard let piece = choiceText(choice) else { return nil }
                text += piece
            }
            return text
        }
        return nil
    }

    private static func choiceText(_ choice: JSONValue) -> String? {
        if let content = choice["message"]?["content"]?.stringValue { return content }
        if case .object = choice["delta"] { return choice["delta"]?["content"]?.stringValue ?? "" }
        if let text = choice["text"]?.stringValue { return text }
        if let tokens = choice["tokens"], let text = stringOrStrings(tokens) { return text }
        return nil
    }

    /// A string, or a list of strings joined.
    private static func stringOrStrings(_ value: JSONValue) -> String? {
        if let string = value.stringValue { return string }
        guard let items = value.arrayValue else { return nil }
        var text = ""
        for item in items {
            guard let piece = item.stringValue else { return nil }
            text += piece
        }
        return text
    }

    // MARK: errors

    private static func describeError(_ error: JSONValue, depth: Int) -> String? {
        switch error {
        case .null:
            return nil
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if depth < 3, trimmed.hasPrefix("{"), let decoded = try? JSONValue.parse(Data(trimmed.utf8)),
               case .object = decoded {
                return describeError(decoded, depth: depth + 1)
            }
            return withoutTraceback(trimmed)
        case .object(let members):
            let type = members["error_type"]?.stringValue.map(exceptionName)
                ?? members["type"]?.stringValue.map(exceptionName)
            var message: String?
            for key in ["error_message", "message", "error", "detail", "msg"] {
                if let value = members[key], value != .null, depth < 3,
                   let text = describeError(value, depth: depth + 1), !text.isEmpty {
                    message = text
                    break
                }
            }
            switch (type, message) {
            case (let type?, let message?) where !type.isEmpty:
                return message.hasPrefix(type) ? message : "\(type): \(message)"
            case (_, let message?):
                return message
            case (let type?, nil) where !type.isEmpty:
                return type
            default:
                var rest = members
                for key in ["error_traceback", "traceback", "stack", "stacktrace"] { rest[key] = nil }
                return rest.isEmpty ? nil : JSONValue.serialize(.object(rest))
            }
        case .array(let items):
            let parts = items.compactMap { depth < 3 ? describeError($0, depth: depth + 1) : nil }.filter { !$0.isEmpty }
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        case .bool, .number:
            return JSONValue.serialize(error)
        }
    }

    /// `<class 'torch.OutOfMemoryError'>` → `torch.OutOfMemoryError`.
    private static func exceptionName(_ text: String) -> String {
        var name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.hasPrefix("<class '") && name.hasSuffix("'>") {
            name = String(name.dropFirst("<class '".count).dropLast(2))
        }
        return name
    }

    /// A Python traceback's last line (the exception); other text unchanged.
    private static func withoutTraceback(_ text: String) -> String {
        guard text.contains("Traceback (most recent call last)") else { return text }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.last { !$0.isEmpty } ?? text
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
    }
}
