import Foundation
import XCTest
@testable import PackKit

/// The conversation store's file as others may leave it: a schema version of its own (so a later ytce adds tables,
/// such as pins, by a step of its own) and rows edited by hand, read back as one-line problems naming the file.
final class ConversationStoreTests: XCTestCase {
    func storePath() -> String {
        TestSupport.temporaryDirectory(self).appendingPathComponent("data/conversations.sqlite").path
    }

    func turn(_ question: String) -> ConversationTurn {
        ConversationTurn(question: question, scope: AskScope(titleWords: ["cold brew"], since: "2024-01"), answer: "Steep it [v @ 00:01-00:02]",
                         grounded: true,
                         sources: [Answer.Source(citation: Citation(videoID: "v", startMs: 1_000, endMs: 2_000), title: "T", url: "https://www.youtube.com/watch?v=v",
                                                 segmentIDs: [3, 4], excerpt: "steep")],
                         backend: "offline", askedAt: Date(timeIntervalSince1970: 1_764_680_000))
    }

    /// The file says which schema it holds (`PRAGMA user_version`), is opened again without change, and a file of a
    /// newer schema is refused in one line rather than read wrongly.
    func testTheSchemaIsVersioned() throws {
        let path = storePath()
        let store = try ConversationStore(path: path)
        let id = try store.create(name: "brew", packPath: "p.pack", channelID: "UC", channelTitle: "C")
        try store.append(turn("how long"), to: id)
        let raw = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        XCTAssertEqual(try raw.scalarInt("PRAGMA user_version"), ConversationStore.schemaVersion)
        XCTAssertEqual(ConversationStore.schemaVersion, 2)
        // Opened again: the turn is there and nothing is created twice.
        XCTAssertEqual(try ConversationStore(path: path).turns(id), [turn("how long")])
        try raw.execute("PRAGMA user_version = 7")
        XCTAssertThrowsError(try ConversationStore(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): the conversations were written by a newer ytce (schema 7, this one reads 2)")
        }
    }

    /// A process that saves a turn and ends (`pack ask --session`) leaves the write-ahead log for the next one
    /// instead of checkpointing it at close (which synced the log, the database and the folder: tens of ms on a
    /// busy disk); the next store reads what it holds.
    func testClosingLeavesTheLogForTheNextStore() throws {
        let path = storePath()
        let id: Int64
        do {
            let store = try ConversationStore(path: path)
            id = try store.create(name: "brew", packPath: "p.pack", channelID: "UC", channelTitle: "C")
            try store.append(turn("how long"), to: id)
        }
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        XCTAssertGreaterThan(log, 0, "the log was checkpointed and emptied at close")
        XCTAssertEqual(try ConversationStore(path: path).turns(id), [turn("how long")])
    }

    /// Rows edited by hand are read back as problems naming the file, the turn and the field, never as a citation
    /// to a negative second or a scope that silently asks the whole channel.
    func testRowsEditedByHandAreNamedProblems() throws {
        let cases: [(sql: String, problem: String)] = [
            ("UPDATE turn SET scope_json = '{\"since\": \"2020-1\"}'", "turn 1: scope_json: 'since' '2020-1': expected a date as YYYY, YYYY-MM or YYYY-MM-DD"),
            ("UPDATE turn SET scope_json = '{\"video_ids\": \"v\"}'", "turn 1: scope_json: 'video_ids' must be a list of strings"),
            ("UPDATE turn SET scope_json = '[1'", "turn 1: scope_json: "),
            ("UPDATE citation SET start_ms = -5000", "turn 1: a citation's time -5000-2000 ms (start_ms, end_ms) is not a range"),
            ("UPDATE citation SET end_ms = 10", "turn 1: a citation's time 1000-10 ms (start_ms, end_ms) is not a range"),
            ("UPDATE turn SET asked_at = 1e300", "turn 1: asked_at 1e+300 is not a time (seconds since 1970)"),
        ]
        for (sql, problem) in cases {
            let path = storePath().replacingOccurrences(of: "conversations.sqlite", with: "\(UUID().uuidString).sqlite")
            let store = try ConversationStore(path: path)
            let id = try store.create(name: nil, packPath: "p.pack", channelID: "UC", channelTitle: "C")
            try store.append(turn("how long"), to: id)
            XCTAssertEqual(try store.turns(id).count, 1)
            try SQLiteDatabase(path: path, mode: .readWriteCreate).execute(sql)
            XCTAssertThrowsError(try store.turns(id), sql) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(path): \(problem)"), "\(sql): \(text)")
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }
}
