import HTTPKit
import XCTest

final class ServerSentEventParserTests: XCTestCase {
    private func parse(_ chunks: [String]) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += parser.feed(Array(chunk.utf8)) }
        return events + parser.finish()
    }

    func testSingleEvent() {
        XCTAssertEqual(parse(["data: hello\n\n"]), [ServerSentEvent(data: "hello")])
    }

    func testEventTypeIdAndRetry() {
        let events = parse(["event: delta\nid: 7\nretry: 1500\ndata: {\"x\":1}\n\n"])
        XCTAssertEqual(events, [ServerSentEvent(event: "delta", data: "{\"x\":1}", id: "7", retry: 1500)])
    }

    func testMultipleDataLinesJoinWithNewline() {
        XCTAssertEqual(parse(["data: one\ndata: two\ndata:\ndata:three\n\n"]).map(\.data), ["one\ntwo\n\nthree"])
    }

    func testCommentsAndUnknownFieldsAreIgnored() {
        let events = parse([": keep-alive\n\n:another\nfoo: bar\ndata: x\n: mid-event comment\n\n"])
        XCTAssertEqual(events, [ServerSentEvent(data: "x")])
    }

    func testCRLFAndCRLineEndings() {
        XCTAssertEqual(parse(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"]).map(\.data), ["a", "b", "c"])
    }

    func testSplitAtEveryByteBoundary() {
        let stream = "event: e1\r\ndata: héllo wörld\r\ndata: 😀\r\n\r\n: c\n\nid: 9\ndata: second\r\r"
        let expected = [ServerSentEvent(event: "e1", data: "héllo wörld\n😀"), ServerSentEvent(data: "second", id: "9")]
        let bytes = Array(stream.utf8)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...]) + parser.finish()
            XCTAssertEqual(events, expected, "cut at \(cut)")
        }
        // One byte at a time.
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        XCTAssertEqual(events + parser.finish(), expected)
    }

    func testCRLFSplitAcrossChunksDoesNotMakeAnEmptyLine() {
        // "\r" ends one chunk, "\n" starts the next: one line break, not two (which would dispatch early).
        XCTAssertEqual(parse(["data: a\r", "\ndata: b\r", "\n\r\n"]).map(\.data), ["a\nb"])
    }

    func testEventsWithoutDataAreNotDispatchedAndTypeResets() {
        let events = parse(["event: ping\n\ndata: after\n\n"])
        XCTAssertEqual(events, [ServerSentEvent(event: "message", data: "after")])
    }

    func testFieldWithoutColonAndOnlyOneSpaceStripped() {
        XCTAssertEqual(parse(["data\n\ndata:  two spaces\n\n"]).map(\.data), ["", " two spaces"])
    }

    func testIdPersistsAndBOMIsSkipped() {
        let events = parse(["\u{FEFF}id: 1\ndata: a\n\ndata: b\n\n"])
        XCTAssertEqual(events.map(\.id), ["1", "1"])
        XCTAssertEqual(events.map(\.data), ["a", "b"])
    }

    func testUnterminatedLastEventIsDeliveredOnFinish() {
        var parser = ServerSentEventParser()
        XCTAssertEqual(parser.feed(Array("data: [DONE]".utf8)), [])
        XCTAssertEqual(parser.finish(), [ServerSentEvent(data: "[DONE]")])
    }

    func testOpenAIStyleStream() {
        let stream = """
        data: {"choices":[{"delta":{"content":"Hel"}}]}

        data: {"choices":[{"delta":{"content":"lo"}}]}

        data: [DONE]


        """
        XCTAssertEqual(parse([stream]).map(\.data),
                       [#"{"choices":[{"delta":{"content":"Hel"}}]}"#, #"{"choices":[{"delta":{"content":"lo"}}]}"#, "[DONE]"])
    }
}
