/// Numbers read from config files, checked against the range their field can take before anything uses them: a
/// `context_tokens` of 1e300 or an `execution_timeout_s` of 1e17 would otherwise trap when it becomes an `Int`, or
/// overflow the arithmetic that follows. Every reader of a config (`PackConfig`, `LLMSettings`, `JobSettings`)
/// takes its numbers through here, so each gets the same one-line message naming the field and what it accepts.
public enum ConfigNumber {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// Names the field, what it accepts and what was found; the caller adds the file.
        public let message: String
        public var description: String { message }
    }

    /// A whole number in `range`.
    public static func integer(_ value: JSONValue, field: String, in range: ClosedRange<Int>) throws(Problem) -> Int {
        guard case .number(let n) = value, n.isFinite, n == n.rounded(),
              n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            throw Problem(message: "'\(field)' must be a whole number \(describe(range)), found \(value.shortDescription)")
        }
        return Int(n)
    }

    /// A number in `range`.
    public static func number(_ value: JSONValue, field: String, in range: ClosedRange<Double>) throws(Problem) -> Double {
        guard case .number(let n) = value, n.isFinite, range.contains(n) else {
            throw Problem(message: "'\(field)' must be a number \(describe(range)), found \(value.shortDescription)")
        }
        return n
    }

    /// `from 1 to 1000`.
    public static func describe(_ range: ClosedRange<Int>) -> String { "from \(range.lowerBound) to \(range.upperBound)" }
    public static func describe(_ range: ClosedRange<Double>) -> String { "from \(text(range.lowerBound)) to \(text(range.upperBound))" }

    /// `0.1`, `5`, `86400`: a bound as a person writes it.
    static func text(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
    }
}
