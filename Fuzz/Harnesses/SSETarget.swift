import HTTPKit

/// Server-sent events from an LLM backend's streamed answer: the same events come out however the bytes are cut
/// into chunks on the way (inside a line, a CRLF pair or a UTF-8 character).
enum SSETarget {
    static let sse = FuzzTarget(
        name: "sse",
        summary: "ServerSentEventParser.feed/finish; the stream fed whole and fed in pieces (sizes from the first byte) give the same events",
        maxLength: 8 << 10,
        dictionary: "sse"
    ) { input in
        guard let first = input.first else { return }
        let stream = input.dropFirst()
        var whole = ServerSentEventParser()
        let expected = whole.feed(stream) + whole.finish()

        // Piece sizes cycle through 1...(first % 7 + 1), so CRLF pairs and UTF-8 characters get split.
        var pieces = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var start = stream.startIndex
        var size = 1
        while start < stream.endIndex {
            let end = min(stream.endIndex, start + size)
            events += pieces.feed(stream[start..<end])
            start = end
            size = size % (Int(first) % 7 + 1) + 1
        }
        events += pieces.finish()
        require(events == expected, "\(events.count) events in pieces, \(expected.count) whole")
        for event in expected {
            require(!event.event.isEmpty, "an event without a type")
            if let retry = event.retry { require(retry >= 0, "a negative retry \(retry)") }
        }
    }
}
