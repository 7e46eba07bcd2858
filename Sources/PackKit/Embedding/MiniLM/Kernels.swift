import Foundation

/// The element-wise parts of the BERT forward pass (the matrix products go to BLAS).
enum Kernels {
    /// `target[i] += source[i]`.
    static func add(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { target[i] += source[i] }
    }

    /// Row-wise LayerNorm in place: (x − mean) / sqrt(var + eps) · weight + bias, biased variance as PyTorch.
    /// Sums run in 8 lanes (a plain `sum +=` loop stays scalar: the compiler may not reorder float additions).
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>, epsilon: Float) {
        let lanes = width / 8 * 8
        for r in 0..<rows {
            let row = x + r * width
            let raw = UnsafeRawPointer(row)
            var partial = SIMD8<Float>()
            for j in stride(from: 0, to: lanes, by: 8) { partial += raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) }
            var sum = partial.sum()
            for j in lanes..<width { sum += row[j] }
            let mean = sum / Float(width)
            var squares = SIMD8<Float>()
            let center = SIMD8<Float>(repeating: mean)
            for j in stride(from: 0, to: lanes, by: 8) {
                let d = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - center
                squares += d * d
            }
            var total = squares.sum()
            for j in lanes..<width { let d = row[j] - mean; total += d * d }
            let inverse = 1 / (total / Float(width) + epsilon).squareRoot()
            for j in 0..<width { row[j] = (row[j] - mean) * inverse * weight[j] + bias[j] }
        }
    }

    /// GELU in its exact form, x · Φ(x) = x/2 · (1 + erf(x/√2)), in place (a plain loop the compiler vectorises).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + Erf.erf(v * invSqrt2))
        }
    }

    /// Softmax of each row in place (max subtracted first for range). Max and sum run in 8 lanes and `FastExp`
    /// is inlined, so the loops vectorise (a call to expf per element was a tenth of a forward pass).
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        let lanes = width / 8 * 8
        for r in 0..<rows {
            let row = x + r * width
            let raw = UnsafeMutableRawPointer(row)
            var m0 = -Float.infinity, m1 = -Float.infinity, m2 = -Float.infinity, m3 = -Float.infinity
            var j = 0
            while j + 4 <= width {
                m0 = row[j] > m0 ? row[j] : m0
                m1 = row[j + 1] > m1 ? row[j + 1] : m1
                m2 = row[j + 2] > m2 ? row[j + 2] : m2
                m3 = row[j + 3] > m3 ? row[j + 3] : m3
                j += 4
            }
            var peak = max(max(m0, m1), max(m2, m3))
            while j < width { peak = max(peak, row[j]); j += 1 }
            for j in 0..<width { row[j] = FastExp.exp(row[j] - peak) }
            var sums = SIMD8<Float>()
            for j in stride(from: 0, to: lanes, by: 8) { sums += raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) }
            var sum = sums.sum()
            for j in lanes..<width { sum += row[j] }
            let inverse = 1 / sum
            for j in 0..<width { row[j] *= inverse }
        }
    }

    /// The mean of `rows` rows, L2-normalised (norm floored at 1e-12 as torch's `normalize`), into `out`.
    static func meanPoolNormalize(_ x: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
        for j in 0..<width { out[j] = 0 }
        for r in 0..<rows {
            let row = x + r * width
            for j in 0..<width { out[j] += row[j] }
        }
        let inverseRows = 1 / Float(max(rows, 1))
        var squares: Float = 0
        for j in 0..<width { out[j] *= inverseRows; squares += out[j] * out[j] }
        let inverse = 1 / max(squares.squareRoot(), 1e-12)
        for j in 0..<width { out[j] *= inverse }
    }
}

/// erf as a rational function x·P(x²)/Q(x²) on [-4, 4] (beyond it erf is ±1 in single precision); absolute
/// error about 6e-8 in exact arithmetic (4e-7 after single-precision rounding), as good as libm's erff for this use, and it
/// vectorises where calling erff per element does not (erff was 9% of a forward pass).
enum Erf {
    // Literal coefficients (not static properties) so the loop in `gelu` stays free of lazy-global checks.
    @inline(__always) static func erf(_ value: Float) -> Float {
        let x = min(max(value, -4), 4)
        let x2 = x * x
        var n: Float = -2.72614225801306e-10
        n = n * x2 + 2.77068142495902e-08
        n = n * x2 - 2.10102402082508e-06
        n = n * x2 - 5.69250639462346e-05
        n = n * x2 - 7.34990630326855e-04
        n = n * x2 - 2.95459980854025e-03
        n = n * x2 - 1.60960333262415e-02
        var d: Float = -1.45660718464996e-05
        d = d * x2 - 2.13374055278905e-04
        d = d * x2 - 1.68282697438203e-03
        d = d * x2 - 7.37332916720468e-03
        d = d * x2 - 1.42647390514189e-02
        return x * n / d
    }
}

/// e^x for x ≤ 0 (softmax after subtracting the maximum): 2^n · e^r with n = round(x / ln 2), r = x − n·ln 2 split
/// in two parts for exactness, e^r by a degree-6 Taylor polynomial on |r| ≤ ln 2 / 2 (relative error ~2e-7).
/// Below −87 the result is 0, as e^x underflows there in single precision anyway.
enum FastExp {
    @inline(__always) static func exp(_ value: Float) -> Float {
        let x = max(value, -87)
        // Round to nearest with the 1.5·2²³ trick (no SSE4.1 `roundps` on the baseline target).
        let t = x * 1.44269504088896341
        let n = (t + 12582912) - 12582912
        let r = (x - n * 0.693145751953125) - n * 1.42860682030941723e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // n + 1.5·2²³ holds n in its low mantissa bits: 2ⁿ's exponent field without a (trapping) int conversion.
        let scale = Float(bitPattern: ((t + 12582912).bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return value < -87 ? 0 : p * scale
    }
}
