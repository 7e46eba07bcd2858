/// Tokenizers' common first step: the text lower-cased into a scratch buffer followed by 16 zero bytes, so a
/// word can be read with two 8-byte loads without bounds checks. Only for ASCII text (nil otherwise): the
/// callers take their Unicode-aware slow path then.
enum ASCIILowercased {
    @inline(__always)
    static func withCopy<R>(of bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeMutablePointer<UInt8>) -> R) -> R? {
        let n = bytes.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n + 16) { scratch -> R? in
            guard let q = scratch.baseAddress else { return nil }
            var seen: UInt8 = 0
            for k in 0..<n {
                let b = bytes[k]
                seen |= b
                q[k] = b &- 0x41 < 26 ? b | 0x20 : b
            }
            guard seen < 0x80 else { return nil }
            (q + n).initialize(repeating: 0, count: 16)
            return body(q)
        }
    }
}
