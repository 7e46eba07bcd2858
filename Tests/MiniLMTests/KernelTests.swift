import Foundation
import XCTest
@testable import PackKit

/// The inlined erf and exp approximations of the forward pass against libm.
final class KernelTests: XCTestCase {
    func testErfMatchesLibm() {
        var worst: Float = 0
        for i in -80_000...80_000 {
            let x = Float(i) / 10_000
            worst = max(worst, abs(Erf.erf(x) - Foundation.erf(x)))
        }
        XCTAssertLessThan(worst, 1e-6)  // 6e-8 in exact arithmetic; single-precision rounding adds the rest
    }

    func testExpMatchesLibmForSoftmaxInputs() {
        var worst: Double = 0
        for i in 0...200_000 {
            let x = -Float(i) / 2_300  // 0 … −87
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastExp.exp(x)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertEqual(FastExp.exp(-1000), 0)
        XCTAssertEqual(FastExp.exp(0), 1)
    }

    func testSoftmaxAndLayerNorm() {
        var row: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, -50]
        row.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { Kernels.softmaxRows(base, rows: 1, width: 10) }
        }
        let values: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, -50].map { Foundation.exp(Double($0)) }
        let total = values.reduce(0, +)
        for (got, expected) in zip(row, values.map { $0 / total }) { XCTAssertEqual(Double(got), expected, accuracy: 1e-6) }
        var x: [Float] = (0..<20).map { Float($0) }
        let weight = [Float](repeating: 2, count: 20), bias = [Float](repeating: 1, count: 20)
        x.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { Kernels.layerNorm(base, rows: 1, width: 20, weight: weight, bias: bias, epsilon: 1e-12) }
        }
        let mean = 9.5
        var variance = 0.0
        for i in 0..<20 { variance += (Double(i) - mean) * (Double(i) - mean) / 20 }
        for (i, v) in x.enumerated() {
            let expected: Double = (Double(i) - mean) / variance.squareRoot() * 2 + 1
            XCTAssertEqual(Double(v), expected, accuracy: 1e-5)
        }
    }
}
