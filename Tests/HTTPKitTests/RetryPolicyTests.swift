import HTTPKit
import XCTest

final class RetryPolicyTests: XCTestCase {
    func testRetryAfterSeconds() {
        XCTAssertEqual(RetryPolicy.retryAfterDelay("1", now: 0), 1)
        XCTAssertEqual(RetryPolicy.retryAfterDelay(" 120 ", now: 0), 120)
        XCTAssertNil(RetryPolicy.retryAfterDelay("-1", now: 0))
        XCTAssertNil(RetryPolicy.retryAfterDelay("1.5", now: 0))
        XCTAssertNil(RetryPolicy.retryAfterDelay("soon", now: 0))
    }

    func testRetryAfterHTTPDateInAllThreeForms() {
        let date = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: date - 30), 30)
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Sunday, 06-Nov-94 08:49:37 GMT", now: date - 30), 30)
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Sun Nov  6 08:49:37 1994", now: date - 30), 30)
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: date + 30), 0, "a past date means now")
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Thu, 01 Jan 1970 00:00:00 GMT", now: 0), 0)
        XCTAssertEqual(RetryPolicy.retryAfterDelay("Wed, 29 Feb 2024 23:59:59 GMT", now: 1_709_251_199 - 5), 5)
    }

    func testBackoffIsFullJitterUnderTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.5, maxDelay: 4)
        for retry in 1...9 {
            let ceiling = min(4, 0.5 * Double(1 << (retry - 1)))
            let delays = (0..<200).map { _ in policy.backoff(retry: retry) }
            XCTAssertTrue(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "retry \(retry)")
            XCTAssertGreaterThan(Set(delays).count, 150, "jittered")
            XCTAssertGreaterThan(delays.max()!, ceiling * 0.8)
        }
    }

    func testIdempotentMethods() {
        XCTAssertTrue(HTTPRequest(method: .get, url: "http://x").isSafeToRepeat)
        XCTAssertTrue(HTTPRequest(method: .put, url: "http://x").isSafeToRepeat)
        XCTAssertFalse(HTTPRequest(method: .post, url: "http://x").isSafeToRepeat)
        XCTAssertTrue(HTTPRequest(method: .post, url: "http://x", isSafeToRepeat: true).isSafeToRepeat)
        XCTAssertFalse(HTTPRequest(method: "patch", url: "http://x").isSafeToRepeat)
    }
}
