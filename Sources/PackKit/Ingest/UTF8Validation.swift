/// Strict UTF-8 validation over raw bytes (rejects overlongs, surrogates and values > U+10FFFF).
enum UTF8Validation {
    /// The offset of the first byte of the first invalid sequence, or `nil` when all bytes are valid.
    static func firstInvalidOffset(_ base: UnsafePointer<UInt8>, count n: Int) -> Int? {
        var i = 0
        while i < n {
            // ASCII fast path: eight bytes at a time.
            while i &+ 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i &+= 8
            }
            guard i < n else { return nil }
            let b0 = base[i]
            if b0 < 0x80 {
                i &+= 1
            } else if b0 < 0xC2 {
                return i
            } else if b0 < 0xE0 {
                guard i + 1 < n, base[i + 1] & 0xC0 == 0x80 else { return i }
                i &+= 2
            } else if b0 < 0xF0 {
                guard i + 2 < n else { return i }
                let b1 = base[i + 1]
                switch b0 {
                case 0xE0: guard b1 >= 0xA0 && b1 <= 0xBF else { return i }
                case 0xED: guard b1 >= 0x80 && b1 <= 0x9F else { return i }  // no surrogates
                default: guard b1 & 0xC0 == 0x80 else { return i }
                }
                guard base[i + 2] & 0xC0 == 0x80 else { return i }
                i &+= 3
            } else if b0 < 0xF5 {
                guard i + 3 < n else { return i }
                let b1 = base[i + 1]
                switch b0 {
                case 0xF0: guard b1 >= 0x90 && b1 <= 0xBF else { return i }
                case 0xF4: guard b1 >= 0x80 && b1 <= 0x8F else { return i }
                default: guard b1 & 0xC0 == 0x80 else { return i }
                }
                guard base[i + 2] & 0xC0 == 0x80, base[i + 3] & 0xC0 == 0x80 else { return i }
                i &+= 4
            } else {
                return i
            }
        }
        return nil
    }
}
