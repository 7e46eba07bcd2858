import Foundation
import XCTest
@testable import PackKit

/// The brief: pins kept in order, its JSON read back, exported as Markdown and JSON, a bad file named.
final class BriefTests: XCTestCase {
    func pin(_ video: String, _ start: Int, note: String = "") -> Brief.Pin {
        Brief.Pin(videoID: video, title: "Video \(video)", startMs: start, endMs: start + 45_000, quote: "said at \(start)\nover two lines",
                  note: note, pack: "Coffee Lab")
    }

    func testPinsKeepTheirOrderSaveAndExport() throws {
        let dir = TestSupport.temporaryDirectory(self)
        var brief = Brief()
        XCTAssertTrue(brief.add(pin("a", 61_500)))
        XCTAssertTrue(brief.add(pin("b", 0, note: "the key claim")))
        XCTAssertFalse(brief.add(pin("a", 61_500)), "the same moment is pinned once")
        XCTAssertTrue(brief.add(pin("c", 3_600_000)))
        XCTAssertEqual(brief.move(2, by: -5), 0)
        XCTAssertEqual(brief.pins.map(\.videoID), ["c", "a", "b"])
        XCTAssertEqual(try Brief(json: Data(JSONValue.serialize(brief.json).utf8), file: "x.json"), brief)

        let markdown = brief.markdown(title: "Brief · Coffee Lab")
        XCTAssertTrue(markdown.hasPrefix("# Brief · Coffee Lab\n\n## 1. Video c (01:00:00-01:00:45)\n\n[https://youtu.be/c?t=3600](https://youtu.be/c?t=3600) · Coffee Lab\n\n> said at 3600000 over two lines\n"), markdown)
        XCTAssertTrue(markdown.contains("## 2. Video a (01:01-01:46)\n\n[https://youtu.be/a?t=61]"), markdown)
        XCTAssertTrue(markdown.contains("> said at 0 over two lines\n\nNote: the key claim\n"), markdown)
        let json = dir.appendingPathComponent("brief.json").path
        try brief.export(to: json, title: "t")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let pins = try XCTUnwrap(object["pins"] as? [[String: Any]])
        XCTAssertEqual(pins.map { $0["link"] as? String }, ["https://youtu.be/c?t=3600", "https://youtu.be/a?t=61", "https://youtu.be/b?t=0"])
        XCTAssertEqual(pins[2]["note"] as? String, "the key claim")
    }

    func testABadBriefFileIsNamed() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let path = dir.appendingPathComponent("brief.json").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(#"{"pins": [{"video_id": "a", "start_ms": 5000, "end_ms": 1000}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Brief(json: Data(contentsOf: URL(fileURLWithPath: path)), file: path)) { error in
            XCTAssertEqual("\(error)", "\(path): pin 1 lacks video_id, or its start_ms/end_ms are not times")
        }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        // One line naming the file and the line of the problem, not the parser's type dump.
        XCTAssertThrowsError(try Brief(json: Data(contentsOf: URL(fileURLWithPath: path)), file: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): invalid JSON: line 1: "), "\(error)")
            XCTAssertFalse("\(error)".contains("ParseError"), "\(error)")
        }
    }
}
