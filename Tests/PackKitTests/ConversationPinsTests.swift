import Foundation
import XCTest
@testable import PackKit

/// Pins saved with their conversation: the brief files of earlier versions imported once (a bad one kept and named),
/// pins read back after reopening, and in the conversation's export.
final class ConversationPinsTests: XCTestCase {
    func pin(_ video: String, _ start: Int, note: String = "") -> Brief.Pin {
        Brief.Pin(videoID: video, title: "Video \(video)", startMs: start, endMs: start + 30_000, quote: "said at \(start)", note: note, pack: "Coffee Lab")
    }

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A file at schema 1 (before pins) with a conversation over the channel, and that channel's brief file: opening
    /// the store brings it to schema 2 and puts the pins after those of the channel's latest conversation, once.
    func testABriefFileIsImportedOnceIntoTheChannelsConversation() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let path = dir.appendingPathComponent("data/conversations.sqlite").path
        let briefs = dir.appendingPathComponent("state/briefs").path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let raw = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try raw.execute(ConversationStore.migrations[0])
        try raw.execute("PRAGMA user_version = 1")
        try raw.execute("INSERT INTO conversation(id, name, pack_path, channel_id, channel_title, created_at, updated_at) VALUES (4, 'brew', 'c.pack', 'UCcoffee', 'Coffee Lab', 0, 0)")
        var brief = Brief()
        brief.add(pin("a", 61_000, note: "the claim"))
        brief.add(pin("b", 0))
        try write(JSONValue.serialize(brief.json), to: briefs + "/UCcoffee.json")
        // A channel with no conversation yet gets one holding its pins.
        try write(JSONValue.serialize(Brief(pins: [pin("z", 5_000)]).json), to: briefs + "/UCother.json")

        let store = try ConversationStore(path: path, briefs: briefs)
        XCTAssertEqual(store.notes, [])
        XCTAssertEqual(try raw.scalarInt("PRAGMA user_version"), 2)
        XCTAssertEqual(try store.pins(4), brief)
        XCTAssertFalse(FileManager.default.fileExists(atPath: briefs + "/UCcoffee.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: briefs + "/UCcoffee.json.migrated"))
        let other = try XCTUnwrap(try store.latest(channelID: "UCother"))
        XCTAssertEqual(other.channelTitle, "Coffee Lab")
        XCTAssertEqual(try store.pins(other.id).pins.map(\.videoID), ["z"])

        // The same file put back is not imported again.
        try FileManager.default.moveItem(atPath: briefs + "/UCcoffee.json.migrated", toPath: briefs + "/UCcoffee.json")
        let again = try ConversationStore(path: path, briefs: briefs)
        XCTAssertEqual(again.notes, [])
        XCTAssertEqual(try again.pins(4), brief)
        XCTAssertEqual(try again.list(channelID: "UCcoffee").count, 1)
    }

    /// A brief file that does not read is named in one warning line, left where it is (not lost, not renamed), and
    /// the other files are imported all the same.
    func testACorruptBriefFileIsNamedAndKept() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let briefs = dir.appendingPathComponent("state/briefs").path
        let bad = briefs + "/UCbad.json"
        try write(#"{"pins": [{"video_id": "a", "start_ms": 9000, "end_ms": 1000}]}"#, to: bad)
        try write(JSONValue.serialize(Brief(pins: [pin("ok", 0)]).json), to: briefs + "/UCgood.json")
        let store = try ConversationStore(path: dir.appendingPathComponent("data/conversations.sqlite").path, briefs: briefs)
        XCTAssertEqual(store.notes, ["\(bad): pin 1 lacks video_id, or its start_ms/end_ms are not times (not imported into the conversations; the file is left as it is)"])
        XCTAssertEqual(String(decoding: try Data(contentsOf: URL(fileURLWithPath: bad)), as: UTF8.self),
                       #"{"pins": [{"video_id": "a", "start_ms": 9000, "end_ms": 1000}]}"#)
        XCTAssertNil(try store.latest(channelID: "UCbad"))
        XCTAssertEqual(try store.pins(try XCTUnwrap(try store.latest(channelID: "UCgood")).id).pins.map(\.videoID), ["ok"])
    }

    /// Pins saved with a conversation (before its first question, which enters it in the store) are read back by
    /// a later process continuing it, in order, with notes; a conversation's Markdown and JSON exports hold them.
    func testPinsSurviveReopeningAndAreExported() throws {
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("data/conversations.sqlite").path
        let engine = try AskEngine(path: ConversationTests.samplePack, cache: TestSupport.cache(in: TestSupport.temporaryDirectory(self)),
                                   config: PackConfig(), environment: [:])
        let conversation = Conversation(engine: engine, store: try ConversationStore(path: path))
        XCTAssertEqual(try conversation.pins(), Brief())
        var brief = Brief(pins: [pin("a", 61_000, note: "the claim"), pin("b", 0)])
        try conversation.savePins(brief)
        brief.move(1, by: -1)
        brief.pins[0].note = "first now"
        try conversation.savePins(brief)

        let store = try ConversationStore(path: path)
        let summary = try XCTUnwrap(try store.latest(channelID: engine.manifest.channelID))
        let continued = try Conversation(engine: engine, store: store, continuing: summary)
        XCTAssertEqual(try continued.pins(), brief)

        let markdown = ConversationExport.markdown([], title: "brew", channel: "Coffee Lab", brief: brief)
        XCTAssertTrue(markdown.contains("## Brief\n\n### 1. Video b (00:00-00:30)\n\n[https://youtu.be/b?t=0](https://youtu.be/b?t=0) · Coffee Lab\n\n> said at 0\n\nNote: first now\n"), markdown)
        XCTAssertTrue(markdown.contains("### 2. Video a (01:01-01:31)\n\n[https://youtu.be/a?t=61]"), markdown)
        let json = ConversationExport.json([], summary: summary, brief: brief)
        XCTAssertEqual(json["pins"]?.arrayValue?.compactMap { $0["link"]?.stringValue }, ["https://youtu.be/b?t=0", "https://youtu.be/a?t=61"])
        // Deleting the conversation deletes its pins.
        try store.remove(summary.id)
        XCTAssertEqual(try store.pins(summary.id), Brief())
    }
}
