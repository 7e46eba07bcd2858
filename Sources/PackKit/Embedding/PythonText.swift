/// Python's `str.lower()` and `str.split()` (no arguments), which the reference embedder's tokens depend on.
/// Swift's `lowercased()` lacks the Final_Sigma rule and Swift's notion of white space differs from Python's.
enum PythonText {
    /// ASCII bytes that `str.split()` splits on: \t \n \v \f \r, the separators 0x1C-0x1F, and space.
    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)
    }

    /// `Py_UNICODE_ISSPACE`.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `text.lower().split()`.
    static func lowerSplit(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for (i, s) in scalars.enumerated() {
            if isSpace(s) {
                if !current.isEmpty { tokens.append(String(current)); current = String.UnicodeScalarView() }
                continue
            }
            if s == "\u{03A3}" {
                current.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
            } else {
                current.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// Final_Sigma: preceded by a cased letter and not followed by one, skipping case-ignorable characters.
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var j = index - 1
        while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && scalars[j].properties.isCased else { return false }
        var k = index + 1
        while k < scalars.count && scalars[k].properties.isCaseIgnorable { k += 1 }
        return !(k < scalars.count && scalars[k].properties.isCased)
    }
}
