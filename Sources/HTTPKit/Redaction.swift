/// Replaces secret strings (API keys, tokens) in text meant for people: error messages, excerpts of
/// response bodies (servers sometimes echo a rejected key), descriptions.
struct Redaction: Sendable {
    static let placeholder = "[redacted]"

    /// Secrets longest first, so that a whole `Bearer sk-…` goes before its token part.
    private let secrets: [String]

    /// Each secret counts whole and, for values such as `Bearer sk-…`, by its longer
    /// whitespace-separated parts too (a server may echo just the token).
    init(_ values: [String]) {
        var all = Set<String>()
        for value in values where !value.isEmpty {
            all.insert(value)
            for part in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) where part.count >= 8 {
                all.insert(String(part))
            }
        }
        secrets = all.sorted { $0.count > $1.count }
    }

    static let none = Redaction([])

    func apply(_ text: String) -> String {
        if text.isEmpty || secrets.isEmpty { return text }
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacing(secret, with: Redaction.placeholder)
        }
        return text
    }
}
