/// Open-addressing map from token bytes to their hash feature, so each distinct token is hashed with
/// SHA-256 once per session. A lookup allocates nothing.
///
/// Layout, chosen for the per-token hot path: one array of 24-byte slots, so a probe usually touches a
/// single cache line. Keys of up to 16 bytes (nearly every word) live inline in the slot as two
/// little-endian, zero-padded words and compare with two integer compares; only longer keys go to a byte
/// arena. Linear probing at load factor ≤ 0.5. (Measured: 32-byte slots and a 0.75 load factor were both
/// slower; on a large vocabulary the lookup is bound by cache misses, so fewer table bytes win.)
struct TokenFeatureCache {
    /// A key of at most 16 bytes, as two little-endian words zero-padded past `length`.
    struct ShortKey {
        var word0: UInt64
        var word1: UInt64
        var length: Int

        /// `bytes.count` must be ≤ 16.
        @inline(__always)
        init(_ bytes: UnsafeRawBufferPointer) {
            assert(bytes.count <= TokenFeatureCache.maxInlineLength)
            var w0: UInt64 = 0, w1: UInt64 = 0
            for (i, b) in bytes.enumerated() {
                if i < 8 { w0 |= UInt64(b) << (8 * i) } else { w1 |= UInt64(b) << (8 * (i - 8)) }
            }
            self.init(word0: w0, word1: w1, length: bytes.count)
        }

        @inline(__always)
        init(word0: UInt64, word1: UInt64, length: Int) {
            self.word0 = word0
            self.word1 = word1
            self.length = length
        }

        /// One 64×64→128 multiply, folded (the wyhash "mum"): mixes both words and the length into the low
        /// bits we index with. The length matters: "a" and "a\0" have the same words.
        @inline(__always)
        var hash: UInt64 {
            let m = (word0 ^ 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: word1 ^ UInt64(length) ^ 0xD6E8_FEB8_6659_FD93)
            return m.high ^ m.low
        }
    }

    private struct Slot {
        /// Short key: bytes 0..<8. Long key: its offset in the arena.
        var word0: UInt64
        /// Short key: bytes 8..<16. Long key: its full hash.
        var word1: UInt64
        /// Key length in bytes, -1 for an empty slot (so an empty slot never matches a key).
        var length: Int32
        var value: Int32
    }

    static let maxInlineLength = 16

    private var slots: [Slot]
    private var arena: [UInt8] = []  // bytes of keys longer than 16
    private(set) var count = 0

    init(capacity: Int = 1 << 14) {
        var size = 8
        while size < capacity { size <<= 1 }  // power of two, so `& mask` indexes
        slots = [Slot](repeating: Slot(word0: 0, word1: 0, length: -1, value: 0), count: size)
    }

    /// The feature of `key`, from the cache or else `compute(key)` (then remembered).
    @inline(__always)
    mutating func feature(of key: UnsafeRawBufferPointer, compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        if key.count <= Self.maxInlineLength {
            return feature(of: ShortKey(key), compute: compute)
        }
        return longFeature(of: key, compute: compute)
    }

    /// The hot path: the caller has already packed (and lower-cased) the token into two words.
    @inline(__always)
    mutating func feature(of key: ShortKey, compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        let length = Int32(truncatingIfNeeded: key.length)
        let found: Int32? = slots.withUnsafeBufferPointer { s in
            let mask = s.count - 1
            var i = Int(truncatingIfNeeded: key.hash) & mask
            while true {
                let slot = s[i]
                if slot.word0 == key.word0 && slot.word1 == key.word1 && slot.length == length { return slot.value }
                if slot.length < 0 { return nil }
                i = (i + 1) & mask
            }
        }
        if let found { return found }
        return insertShort(key, compute: compute)
    }

    /// Miss path, kept out of line so the lookup loop stays small.
    @inline(never)
    private mutating func insertShort(_ key: ShortKey, compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        let value = withUnsafeBytes(of: (key.word0.littleEndian, key.word1.littleEndian)) {
            compute(UnsafeRawBufferPointer(rebasing: $0[0..<key.length]))
        }
        insert(Slot(word0: key.word0, word1: key.word1, length: Int32(key.length), value: value), hash: key.hash)
        return value
    }

    @inline(never)
    private mutating func longFeature(of key: UnsafeRawBufferPointer, compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        guard key.count <= Int(Int32.max) else { return compute(key) }  // absurd token: don't cache
        let h = Self.longHash(key)
        let length = Int32(key.count)
        let found: Int32? = slots.withUnsafeBufferPointer { s in
            arena.withUnsafeBytes { a in
                let mask = s.count - 1
                var i = Int(truncatingIfNeeded: h) & mask
                while s[i].length >= 0 {
                    let slot = s[i]
                    if slot.length == length && slot.word1 == h
                        && Self.equal(UnsafeRawBufferPointer(rebasing: a[Int(slot.word0)...].prefix(key.count)), key) {
                        return slot.value
                    }
                    i = (i + 1) & mask
                }
                return nil
            }
        }
        if let found { return found }
        let value = compute(key)
        let offset = UInt64(arena.count)
        arena.append(contentsOf: key)
        insert(Slot(word0: offset, word1: h, length: length, value: value), hash: h)
        return value
    }

    /// Byte equality of two buffers of the same length, 8 bytes at a time.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var k = 0
        while k + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < a.count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    /// Word-at-a-time hash for keys longer than 16 bytes (rare: the speed here matters little).
    private static func longHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= key.count {
            let w = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let m = (h ^ w).multipliedFullWidth(by: 0xD6E8_FEB8_6659_FD93)
            h = m.high ^ m.low
            i += 8
        }
        var tail: UInt64 = 0
        for (k, b) in key[i...].enumerated() { tail |= UInt64(b) << (8 * k) }
        let m = (h ^ tail ^ 0xA076_1D64_78BD_642F).multipliedFullWidth(by: 0xE703_7ED1_A0B4_28DB)
        return m.high ^ m.low
    }

    /// Hash a slot was placed by: recomputed from the words for short keys, stored for long ones.
    private static func hash(of slot: Slot) -> UInt64 {
        slot.length > Int32(maxInlineLength)
            ? slot.word1
            : ShortKey(word0: slot.word0, word1: slot.word1, length: Int(slot.length)).hash
    }

    /// Places a key known to be absent.
    private mutating func insert(_ slot: Slot, hash: UInt64) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i].length >= 0 { i = (i + 1) & mask }
        slots[i] = slot
        count += 1
        if count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(word0: 0, word1: 0, length: -1, value: 0), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.length >= 0 {
            var i = Int(truncatingIfNeeded: Self.hash(of: slot)) & mask
            while slots[i].length >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}
