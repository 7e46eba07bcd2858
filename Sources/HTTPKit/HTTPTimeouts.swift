/// The three limits on a transfer, in seconds; nil means no limit.
///
/// - `connect`: name resolution, TCP connect and TLS handshake.
/// - `idle`: no bytes received or sent for this long once connected (a stalled stream). It also covers a
///   server that accepts the request and then says nothing, so give slow non-streaming endpoints room.
/// - `total`: the whole attempt, from start to the last byte (each retry gets its own).
public struct HTTPTimeouts: Sendable, Hashable {
    public var connect: Double?
    public var idle: Double?
    public var total: Double?

    public init(connect: Double? = 10, idle: Double? = 60, total: Double? = nil) {
        self.connect = connect
        self.idle = idle
        self.total = total
    }

    public static let `default` = HTTPTimeouts()
}

/// Which limit a transfer ran into.
public enum HTTPTimeout: String, Sendable, Hashable {
    case connect, idle, total
}
