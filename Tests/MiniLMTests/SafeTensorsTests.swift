import Foundation
import XCTest
@testable import PackKit

/// Writes `.safetensors` files for the tests.
struct SafeTensorsWriter {
    var tensors: [(name: String, dtype: String, shape: [Int], bytes: Data)] = []

    mutating func add(_ name: String, floats: [Float], shape: [Int], half: Bool = false) {
        var data = Data()
        if half {
            for f in floats { withUnsafeBytes(of: Half.fromFloat(f).littleEndian) { data.append(contentsOf: $0) } }
        } else {
            for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        tensors.append((name, half ? "F16" : "F32", shape, data))
    }

    func data(headerPadding: Int = 0) -> Data {
        var offset = 0
        var entries: [String: JSONValue] = ["__metadata__": .object(["format": .string("pt")])]
        for t in tensors {
            entries[t.name] = .object(["dtype": .string(t.dtype), "shape": .array(t.shape.map { .number(Double($0)) }),
                                       "data_offsets": .array([.number(Double(offset)), .number(Double(offset + t.bytes.count))])])
            offset += t.bytes.count
        }
        var header = Data(JSONValue.serialize(.object(entries)).utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: headerPadding))
        var out = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        for t in tensors { out.append(t.bytes) }
        return out
    }
}

final class SafeTensorsTests: XCTestCase {
    func testReadsFP32InPlaceAndFP16Widened() throws {
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        var writer = SafeTensorsWriter()
        writer.add("a", floats: [1, -2.5, 3.25, 0], shape: [2, 2])
        writer.add("b", floats: [0.5, -0.0001, 65504, 1e-7], shape: [4], half: true)
        // Paddings 0…3 put the fp32 data at every alignment: misaligned data is copied, not misread.
        for padding in 0..<4 {
            let path = dir.appendingPathComponent("t\(padding).safetensors").path
            try writer.data(headerPadding: padding).write(to: URL(fileURLWithPath: path))
            let file = try SafeTensorsFile(path: path)
            let a = try file.floats("a", shape: [2, 2])
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.pointer, count: a.count)), [1, -2.5, 3.25, 0])
            let b = try file.floats("b", shape: [4])
            let values = Array(UnsafeBufferPointer(start: b.pointer, count: b.count))
            XCTAssertEqual(values[0], 0.5)
            XCTAssertEqual(values[1], -0.0001, accuracy: 1e-7)
            XCTAssertEqual(values[2], 65504)
            XCTAssertEqual(values[3], 1e-7, accuracy: 6e-8)  // a half subnormal
        }
    }

    func testHalfConversionRoundTrips() {
        for bits in stride(from: 0, through: 0xFFFF, by: 7) where (bits >> 10) & 0x1F != 0x1F {
            XCTAssertEqual(Half.fromFloat(Half.toFloat(UInt16(bits))), UInt16(bits))
        }
        XCTAssertEqual(Half.toFloat(0x3C00), 1)
        XCTAssertEqual(Half.toFloat(0xC000), -2)
        XCTAssertTrue(Half.toFloat(0x7C00).isInfinite)
    }

    func testWrongShapeMissingTensorAndUnknownDtypeNameTheTensor() throws {
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        var writer = SafeTensorsWriter()
        writer.add("w", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let path = dir.appendingPathComponent("m.safetensors").path
        try writer.data().write(to: URL(fileURLWithPath: path))
        let file = try SafeTensorsFile(path: path)
        XCTAssertThrowsError(try file.floats("w", shape: [3, 2])) { error in
            XCTAssertTrue("\(error)".contains("'w' has shape [2, 3], expected [3, 2]"), "\(error)")
        }
        XCTAssertThrowsError(try file.floats("missing", shape: [1])) { error in
            XCTAssertTrue("\(error)".contains("'missing' is missing") && "\(error)".contains(path), "\(error)")
        }
    }

    func testTruncatedAndCorruptFilesAreClearErrors() throws {
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        var writer = SafeTensorsWriter()
        writer.add("w", floats: Array(repeating: 1, count: 100), shape: [10, 10])
        let full = writer.data()
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "truncated"),
            ("header-cut", full.prefix(20), "truncated"),
            ("data-cut", full.prefix(full.count - 8), "truncated"),
            ("not-json", { var d = Data(); withUnsafeBytes(of: UInt64(4).littleEndian) { d.append(contentsOf: $0) }; d.append(Data("nope".utf8)); return d }(), "not valid JSON"),
        ]
        for (name, data, expected) in cases {
            let path = dir.appendingPathComponent("\(name).safetensors").path
            try data.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try SafeTensorsFile(path: path), name) { error in
                XCTAssertTrue("\(error)".contains(expected) && "\(error)".contains(path), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try SafeTensorsFile(path: dir.appendingPathComponent("absent.safetensors").path)) { error in
            XCTAssertTrue("\(error)".contains("cannot open"), "\(error)")
        }
    }
}
