import Foundation
import XCTest
@testable import PackKit

/// Question sets for `ytce eval`, as a user writes them.
final class EvaluationSetTests: XCTestCase {
    private func load(_ json: String) throws -> EvaluationSet {
        let url = TestSupport.temporaryDirectory(self).appendingPathComponent("questions.json")
        try Data(json.utf8).write(to: url)
        return try EvaluationSet.load(url)
    }

    private let oneQuestion = #"{"question": "q", "gold": [{"video_id": "v", "start_ms": 60000, "end_ms": 90000}]}"#

    func testTheMetricNoteSetsTheTolerance() throws {
        let set = try load(#"{"metric_note": "spans widened by 2000 ms on each side", "questions": [\#(oneQuestion)]}"#)
        XCTAssertEqual(set.toleranceMs, 2000)
        XCTAssertTrue(set.isHit(set.questions[0], videoID: "v", startMs: 91_500, endMs: 95_000))
        XCTAssertFalse(set.isHit(set.questions[0], videoID: "v", startMs: 92_500, endMs: 95_000))
        XCTAssertEqual(try load(#"{"questions": []}"#).toleranceMs, 15_000, "the default without a note")
    }

    /// Found with the fuzz suite's eval-questions harness: a tolerance of Int.max parsed, then overflowed in isHit
    /// (`ytce eval` trapped on the first retrieved chunk).
    func testAToleranceBeyondADayIsRefusedNamingTheNote() throws {
        for digits in ["9223372036854775807", "99999999999999999999999", "86400001"] {
            XCTAssertThrowsError(try load(#"{"metric_note": "widened by \#(digits) ms", "questions": [\#(oneQuestion)]}"#)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("metric_note") && message.contains(digits), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        XCTAssertEqual(try load(#"{"metric_note": "widened by 86400000 ms", "questions": [\#(oneQuestion)]}"#).toleranceMs, 86_400_000)
    }
}
