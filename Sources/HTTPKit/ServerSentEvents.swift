/// One server-sent event (WHATWG HTML, "Server-sent events", §9.2).
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, "message" when absent.
    public var event: String
    /// The `data:` lines joined by "\n".
    public var data: String
    /// The last event ID seen so far on the stream (`id:` fields persist across events).
    public var id: String?
    /// The `retry:` field of this event, in milliseconds.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// An incremental server-sent events parser: feed it bytes as they arrive, in chunks cut anywhere (even
/// inside a line, a CRLF pair or a UTF-8 character), and it returns each event once its blank line has
/// arrived. Lines end in LF, CRLF or CR; a leading BOM is skipped; `:` comment lines are ignored; a field
/// without a colon has an empty value; one space after the colon is dropped; unknown fields are ignored;
/// an event with no data is not dispatched.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var eventType = ""
    private var data = ""
    private var hasData = false
    private var lastID: String?
    private var retry: Int?

    public init() {}

    /// Parses `bytes` and returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0A:
                endLine(into: &events)
            case 0x0D:
                afterCR = true
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: a last line or event without its terminator still counts (a lenient reading; the
    /// standard drops it, but some servers omit the final blank line).
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        endLine(into: &events)
        afterCR = false
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        var bytes = line[...]
        line.removeAll(keepingCapacity: true)
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty {
            dispatch(into: &events)
            return
        }
        if bytes.first == UInt8(ascii: ":") { return }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            name = bytes[..<colon]
            value = bytes[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            name = bytes
            value = []
        }
        let text = String(decoding: value, as: UTF8.self)
        switch String(decoding: name, as: UTF8.self) {
        case "event":
            eventType = text
        case "data":
            if hasData { data += "\n" }
            data += text
            hasData = true
        case "id":
            if !value.contains(0) { lastID = text }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                retry = Int(text)
            }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            eventType = ""
            data = ""
            hasData = false
            retry = nil
        }
        guard hasData else { return }
        events.append(ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: data, id: lastID,
                                      retry: retry))
    }
}
