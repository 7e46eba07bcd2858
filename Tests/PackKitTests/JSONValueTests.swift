import Foundation
import XCTest
import PackKit

/// JSON numbers at the edges: what cannot be a double is an error with its line, and what is not a JSON number
/// (infinity, NaN) is never written as one.
final class JSONValueTests: XCTestCase {
    func testANumberTooLargeForADoubleIsAnErrorWithItsLine() {
        XCTAssertThrowsError(try JSONValue.parse(Data("{\"a\": 1,\n \"b\": 1e400}".utf8))) { error in
            XCTAssertEqual((error as? JSONValue.ParseError)?.reason, "line 2: number 1e400 is too large")
        }
        XCTAssertThrowsError(try JSONValue.parse(Data("[-1e999]".utf8)))
        XCTAssertEqual(try JSONValue.parse(Data("[1e308, 5e-324, 1e-400]".utf8)), .array([.number(1e308), .number(5e-324), .number(0)]))
    }

    /// `inf` and `nan` are not JSON: non-finite numbers are written as null (as JavaScript's JSON.stringify
    /// does), so every document ytce writes parses again.
    func testNonFiniteNumbersAreWrittenAsNull() throws {
        let value = JSONValue.object(["big": .number(.infinity), "small": .number(-.infinity), "nan": .number(.nan), "ok": .number(1.5)])
        let text = JSONValue.serialize(value)
        XCTAssertEqual(text, #"{"big":null,"nan":null,"ok":1.5,"small":null}"#)
        XCTAssertNoThrow(try JSONValue.parse(Data(text.utf8)))
        let pretty = JSONValue.serialize(orderedObject: [("x", .number(.infinity)), ("y", .array([.number(.nan)]))], indent: 2)
        XCTAssertEqual(pretty, "{\n  \"x\": null,\n  \"y\": [null]\n}\n")
        XCTAssertEqual(JSONValue.number(.infinity).shortDescription, "null")
    }
}
