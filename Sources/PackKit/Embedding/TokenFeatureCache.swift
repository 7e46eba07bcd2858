/// Open-addressing map from token bytes to their hash feature, so each distinct token is hashed with
/// SHA-256 once per session. Keys live in one byte arena: a lookup allocates nothing.
struct TokenFeatureCache {
    private var arena: [UInt8] = []
    private var offsets: [Int32]   // arena offset of the key in each slot, -1 when empty
    private var lengths: [Int32]
    private var values: [Int32]
    private var hashes: [UInt64]
    private var count = 0

    init(capacity: Int = 1 << 14) {
        offsets = [Int32](repeating: -1, count: capacity)
        lengths = [Int32](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        hashes = [UInt64](repeating: 0, count: capacity)
    }

    mutating func feature(of key: UnsafeRawBufferPointer, compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        // FNV-1a: short keys, fast, good enough spread for a table we size ourselves.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let mask = offsets.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while offsets[slot] >= 0 {
            if hashes[slot] == h && Int(lengths[slot]) == key.count && matches(slot, key) {
                return values[slot]
            }
            slot = (slot + 1) & mask
        }
        let value = compute(key)
        guard arena.count + key.count < Int(Int32.max) else { return value }  // arena full: stop caching
        offsets[slot] = Int32(arena.count)
        lengths[slot] = Int32(key.count)
        hashes[slot] = h
        values[slot] = value
        arena.append(contentsOf: key)
        count += 1
        if count * 2 > offsets.count { grow() }
        return value
    }

    private func matches(_ slot: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = Int(offsets[slot])
        return arena.withUnsafeBytes { a in
            key.count == 0 || memcmp(a.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    private mutating func grow() {
        let old = (offsets, lengths, values, hashes)
        let capacity = offsets.count * 2
        offsets = [Int32](repeating: -1, count: capacity)
        lengths = [Int32](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        hashes = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for i in old.0.indices where old.0[i] >= 0 {
            var slot = Int(truncatingIfNeeded: old.3[i]) & mask
            while offsets[slot] >= 0 { slot = (slot + 1) & mask }
            offsets[slot] = old.0[i]
            lengths[slot] = old.1[i]
            values[slot] = old.2[i]
            hashes[slot] = old.3[i]
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
