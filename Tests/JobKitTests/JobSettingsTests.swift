import Foundation
import XCTest
@testable import JobKit
@testable import PackKit

/// The config's `jobs` block: the issue's trapping numbers are one-line errors naming the field.
final class JobSettingsTests: XCTestCase {
    func problem(_ json: String) -> String? {
        do {
            let config = try PackConfig.parse(Data(json.utf8), file: "c.json")
            _ = try JobSettings.resolve(config.jobs, file: "c.json", environment: [:])
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testOutOfRangeNumbersAreErrorsNamingTheField() {
        let cases: [(String, String)] = [
            (#"{"jobs": {"context_tokens": 1e300}}"#, "c.json: 'jobs.context_tokens' must be a whole number from 1000 to 10000000, found 1e+300"),
            (#"{"jobs": {"execution_timeout_s": 1e17}}"#, "c.json: 'jobs.execution_timeout_s' must be a number from 1 to 604800, found 1e+17"),
            (#"{"jobs": {"max_new_tokens": 1e19}}"#, "c.json: 'jobs.max_new_tokens' must be a whole number from 1 to 1000000, found 1e+19"),
            (#"{"jobs": {"ttl_s": 1e300}}"#, "c.json: 'jobs.ttl_s' must be a number from 1 to 604800"),
            (#"{"jobs": {"poll_interval_s": 1e300}}"#, "c.json: 'jobs.poll_interval_s' must be a number from 0.1 to 3600"),
            (#"{"jobs": {"max_wait_s": 1e300}}"#, "c.json: 'jobs.max_wait_s' must be a number from 1 to 2592000"),
            (#"{"jobs": {"top_p": 2}}"#, "c.json: 'jobs.top_p' must be a number from 0 to 1"),
            (#"{"jobs": {"price_per_1k_tokens": -1}}"#, "c.json: 'jobs.price_per_1k_tokens' must be a number from 0 to 1000, found -1"),
            (#"{"jobs": {"price_per_1k_tokens": 1e300}}"#, "c.json: 'jobs.price_per_1k_tokens' must be a number from 0 to 1000"),
            (#"{"jobs": {"concurrency": 0}}"#, "c.json: 'jobs.concurrency' must be a whole number from 1 to 1000, found 0"),
            (#"{"jobs": {"concurrency": 2.5}}"#, "c.json: 'jobs.concurrency' must be a whole number from 1 to 1000, found 2.5"),
            (#"{"jobs": {"temperature": "hot"}}"#, "c.json: 'jobs.temperature' must be a number from 0 to 2, found \"hot\""),
        ]
        for (json, expected) in cases {
            let text = problem(json)
            XCTAssertTrue(text?.hasPrefix(expected) ?? false, "\(json): \(text ?? "accepted")")
        }
    }

    func testGoodNumbersConvert() throws {
        let config = try PackConfig.parse(Data(#"{"jobs": {"execution_timeout_s": 600.5, "ttl_s": 86400, "max_new_tokens": 8000, "context_tokens": 32000}}"#.utf8), file: "c.json")
        let settings = try JobSettings.resolve(config.jobs, file: "c.json", environment: [:])
        XCTAssertEqual(settings.executionTimeoutMs, 600_500)
        XCTAssertEqual(settings.ttlMs, 86_400_000)
        XCTAssertEqual(settings.maxNewTokens, 8000)
        XCTAssertEqual(settings.contextTokens, 32_000)
        XCTAssertNil(settings.pricePer1kTokens, "no price unless configured")
        let priced = try JobSettings.resolve(try PackConfig.parse(Data(#"{"jobs": {"price_per_1k_tokens": 0.002, "concurrency": 8}}"#.utf8), file: "c.json").jobs,
                                             file: "c.json", environment: [:])
        XCTAssertEqual(priced.pricePer1kTokens, 0.002)
        XCTAssertEqual(priced.concurrency, 8)
    }
}
