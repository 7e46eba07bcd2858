/// A problem with the MiniLM model folder or its files; the message names the file and the field at fault.
public struct MiniLMError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
