/// A malformed or unreadable transcript.
///
/// `line` is 1-based and counts CRLF, LF and bare CR as one line break each. It is `nil` when
/// the problem is not tied to a line (unreadable file, JSON shape errors, which name the element
/// index in `message` instead).
public struct TranscriptProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name or path as given to `TranscriptReader`.
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `"file:line: message"`, or `"file: message"` when there is no line.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
