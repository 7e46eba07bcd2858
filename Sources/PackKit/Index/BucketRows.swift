/// Rows of a bucket index (format in BucketIndex.swift) before they are paged: each row as its non-zero buckets'
/// whole counts over one divisor, or as an exception (divisor -1: not of that shape, read from the matrix instead).
///
/// A hash embedder knows its rows' counts before it divides them, so it hands them over as they are
/// (`appendRow(wholeCounts:)`); other rows are recovered from their floats (`appendRow(_:)`). Both give the same
/// entries for the same row, so an index does not depend on which way its rows came.
struct BucketRows: Sendable {
    /// Row r's entries are `columns[ends[r - 1] ..< ends[r]]` (from 0 for the first row), with their counts.
    var columns: [UInt16] = []
    var counts: [Int8] = []
    var ends: [Int32] = []
    /// Each row's divisor: 0 for an all-zero row, -1 for an exception.
    var divisors: [Float] = []

    var count: Int { divisors.count }

    init() {}

    /// The rows of `vectors`, `columns` values each.
    init(vectors: UnsafeBufferPointer<Float>, columns: Int) {
        var start = 0
        while start + columns <= vectors.count {
            appendRow(UnsafeBufferPointer(rebasing: vectors[start..<(start + columns)]))
            start += columns
        }
    }

    /// Appends the rows of `other` after these.
    mutating func append(_ other: BucketRows) {
        let shift = Int32(columns.count)  // a run's entries: fewer than Int32.max (`BucketIndexWriter` pages them)
        columns += other.columns
        counts += other.counts
        ends += other.ends.lazy.map { $0 + shift }
        divisors += other.divisors
    }

    /// Appends a row given as floats, recovering its whole counts: its smallest non-zero value is taken as one
    /// count, or (rows whose counts all share a factor) as up to four. The counts must give back every value to
    /// within float rounding (about 3 units in the last place), whether the pack's builder divided in float32 (ytce)
    /// or float64 (NumPy, then rounded); a row they do not is an exception.
    mutating func appendRow(_ row: UnsafeBufferPointer<Float>) {
        let first = columns.count
        var smallest = Float.infinity
        for (c, v) in row.enumerated() where v != 0 {
            guard v.isFinite else { return appendException(from: first) }
            smallest = min(smallest, abs(v))
            columns.append(UInt16(truncatingIfNeeded: c))  // < columns <= 65536
        }
        guard columns.count > first else { return finishRow(divisor: 0) }
        for base in 1...4 {
            let unit = smallest / Float(base)
            if let divisor = fit(from: first, values: row, count: { (row[$0] / unit).rounded() }) {
                return finishRow(divisor: divisor)
            }
        }
        appendException(from: first)
    }

    /// Appends a row of whole counts (a hash embedding before it is divided by its length) as stored divided by
    /// `norm(row)`, when its smallest non-zero count is 1 and none is beyond Int8: then the float path would take
    /// the smallest stored value as one count, find these counts, and their divisor would be `norm(row)` itself
    /// (float32 sums of squares of small integers are exact), so its check holds exactly. False, nothing
    /// appended, for any other row: give it to `appendRow(_:)` once divided.
    mutating func appendRow(wholeCounts row: UnsafeBufferPointer<Float>) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: row.count) { found in
            // The non-zero columns, compacted without a branch (which of them are non-zero is a coin toss), and the
            // sum of squares in the order `HashEmbeddingSession.normalise` takes it.
            var k = 0
            var sum: Float = 0
            for c in row.indices {
                let v = row[c]
                found[k] = UInt16(truncatingIfNeeded: c)  // < columns <= 65536
                k &+= v != 0 ? 1 : 0
                sum += v * v
            }
            guard k > 0 else {
                finishRow(divisor: 0)
                return true
            }
            var smallest = Float.infinity, largest: Float = 0
            for i in 0..<k {
                let size = abs(row[Int(found[i])])
                smallest = min(smallest, size)
                largest = max(largest, size)
            }
            // Past 2^24 a float32 sum may round, and the float path sums in integers.
            guard smallest == 1, largest <= 127, sum < 16_777_216 else { return false }
            let entries = UnsafeBufferPointer(rebasing: found[0..<k])
            columns.append(contentsOf: entries)
            counts.append(contentsOf: entries.lazy.map { Int8(row[Int($0)]) })  // whole, within ±127
            finishRow(divisor: Self.norm(sum))
            return true
        }
    }

    /// The length a hash embedding is divided by, from its sum of squares.
    @inline(__always)
    static func norm(_ sumOfSquares: Float) -> Float { sumOfSquares.squareRoot() + Float(1e-12) }

    /// The divisor when `count` gives every listed column (from `first` on) a count within Int8 that, over the
    /// divisor those counts make, gives back its value; the counts are stored. Nil (counts left undefined) if not.
    private mutating func fit(from first: Int, values: UnsafeBufferPointer<Float>, count: (Int) -> Float) -> Float? {
        counts.removeSubrange(first...)
        var sum = 0
        for c in columns[first...] {
            let n = count(Int(c))
            guard abs(n) <= 127, n != 0 else { return nil }
            counts.append(Int8(n))
            sum += Int(n * n)
        }
        let divisor = Self.norm(Float(sum))
        for i in first..<columns.count {
            let v = values[Int(columns[i])]
            guard abs(Float(counts[i]) / divisor - v) <= abs(v) * 4e-7 else { return nil }
        }
        return divisor
    }

    private mutating func finishRow(divisor: Float) {
        divisors.append(divisor)
        ends.append(Int32(columns.count))
    }

    private mutating func appendException(from first: Int) {
        columns.removeSubrange(first...)
        counts.removeSubrange(min(first, counts.count)...)
        finishRow(divisor: -1)
    }
}
