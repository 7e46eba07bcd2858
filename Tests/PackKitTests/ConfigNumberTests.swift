import Foundation
import XCTest
@testable import PackKit

/// Every number a config file gives is range-checked with a message naming the field, never trapping when it
/// becomes an Int or enters arithmetic.
final class ConfigNumberTests: XCTestCase {
    func message(_ json: String) -> String? {
        do {
            let config = try PackConfig.parse(Data(json.utf8), file: "c.json")
            _ = try LLMSettings.resolve(config.llm, file: "c.json")
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testOutOfRangeNumbersAreErrorsNamingTheField() {
        let cases: [(String, String)] = [
            (#"{"llm": {"context_tokens": 1e300}}"#, "'llm.context_tokens' must be a whole number from 1 to 10000000, found 1e+300"),
            (#"{"llm": {"max_new_tokens": 1e19}}"#, "'llm.max_new_tokens' must be a whole number from 1 to 1000000"),
            (#"{"llm": {"temperature": 1e308}}"#, "'llm.temperature' must be a number from 0 to 2"),
            (#"{"llm": {"top_p": -1}}"#, "'llm.top_p' must be a number from 0 to 1"),
            (#"{"llm": {"extra": {"timeout_s": 1e17}}}"#, "'llm.extra.timeout_s' must be a number from 0.1 to 86400"),
            (#"{"chunking": {"micro_chunk_sec": 9e15}}"#, "'chunking.micro_chunk_sec' must be a whole number from 1 to 3600"),
            (#"{"chunking": {"max_section_sec": -5}}"#, "'chunking.max_section_sec' must be a whole number from 1 to 86400"),
            (#"{"retrieval": {"bm25_top_k": 1e12}}"#, "'retrieval.bm25_top_k' must be a whole number from 1 to 10000"),
            (#"{"retrieval": {"top_chunks": 2.5}}"#, "'retrieval.top_chunks' must be a whole number from 1 to 1000, found 2.5"),
            (#"{"embedding": {"dim": 1e10}}"#, "'embedding.dim' must be a whole number from 1 to 65536"),
            (#"{"embedding": {"timeout_s": 0}}"#, "'embedding.timeout_s' must be a number from 0.1 to 86400"),
            (#"{"schema_version": 1e300}"#, "'config.schema_version' must be a whole number from 1 to 1000"),
        ]
        for (json, expected) in cases {
            let text = message(json)
            XCTAssertTrue(text?.hasPrefix("c.json: ") ?? false, "\(json): \(text ?? "accepted")")
            XCTAssertTrue(text?.contains(expected) ?? false, "\(json): \(text ?? "accepted")")
        }
    }

    func testNumbersInRangeStillWork() throws {
        XCTAssertNil(message(#"{"llm": {"context_tokens": 8192, "max_new_tokens": 1024, "temperature": 0, "top_p": 1}, "chunking": {"micro_chunk_sec": 3600, "micro_overlap_sec": 0}}"#))
    }
}
