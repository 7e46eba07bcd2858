/// A line for the status bar: a notice (something done) or an error.
public struct StatusMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case notice, error }
    public var kind: Kind
    public var text: String
    /// When it was posted (seconds since 1970).
    public var at: Double
}

/// The status bar's message and the recent ones. The newest message is shown, whatever it is (an error does not
/// hide a later search result or finished job); it goes after a few seconds, and an error also on the next key or
/// click. Every message stays readable in the messages popup.
public struct StatusState: Sendable {
    /// What the status bar shows now.
    public private(set) var current: StatusMessage?
    /// The recent messages, oldest first.
    public private(set) var log: [StatusMessage] = []
    /// Counts posts, so that an expiry timer clears only the message it was set for.
    public private(set) var serial = 0
    public static let logLimit = 100
    /// How long a message stays in the status bar.
    public static let noticeSeconds = 8.0
    public static let errorSeconds = 10.0

    public init() {}

    /// The error on show, if the status bar shows one.
    public var error: String? { current?.kind == .error ? current?.text : nil }
    /// The notice on show, if the status bar shows one.
    public var notice: String? { current?.kind == .notice ? current?.text : nil }

    /// Shows `text` and keeps it in the log; returns the serial its expiry timer names.
    @discardableResult
    public mutating func post(_ kind: StatusMessage.Kind, _ text: String, at now: Double) -> Int {
        let message = StatusMessage(kind: kind, text: text, at: now)
        current = message
        log.append(message)
        if log.count > Self.logLimit { log.removeFirst(log.count - Self.logLimit) }
        serial += 1
        return serial
    }

    /// The expiry timer of post `serial` fired: its message goes, unless a newer one took its place.
    public mutating func expire(serial: Int) {
        if serial == self.serial { current = nil }
    }

    /// The user acted (a key, a click): an error on show has been seen.
    public mutating func dismissError() {
        if current?.kind == .error { current = nil }
    }

    /// How long a message of `kind` stays.
    public static func seconds(_ kind: StatusMessage.Kind) -> Double { kind == .error ? errorSeconds : noticeSeconds }
}
