/// A lexical builder's (term, frequency) entries, document after document, in blocks of about a million: a
/// 5,000-hour channel has ~65 million, and one array of them reallocated as it grew held the old and the new
/// buffer at once (260 MB copied into 512 MB) at the build's peak. A block starts only at a document's start, so
/// every document's entries lie in one block and can be sorted where they are.
struct LexicalEntries {
    static let defaultBlockSize = 1 << 20
    let blockSize: Int
    private(set) var blocks: [[UInt32]] = []
    /// Where each block starts among all entries.
    private(set) var blockStarts: [Int] = []
    private(set) var count = 0

    init(blockSize: Int = Self.defaultBlockSize) {
        self.blockSize = max(1, blockSize)
    }

    mutating func append(_ entry: UInt32) {
        if blocks.isEmpty { startBlock() }
        blocks[blocks.count - 1].append(entry)
        count += 1
    }

    /// Called after each document: a full block is closed, so the next document starts a new one.
    mutating func endDocument() {
        if let last = blocks.last, last.count >= blockSize { startBlock() }
    }

    private mutating func startBlock() {
        var block: [UInt32] = []
        block.reserveCapacity(blockSize + min(blockSize, 4096))
        blocks.append(block)
        blockStarts.append(count)
    }

    mutating func removeAll() {
        blocks = []
        blockStarts = []
        count = 0
    }

    /// Calls `body` with each document's entries in row order; `starts` holds where each document's entries start
    /// and, last, where the last one's end (the builder's `documentStarts`).
    func forEachDocument(starts: [UInt32], _ body: (_ row: Int, _ entries: UnsafeBufferPointer<UInt32>) -> Void) {
        var visited = blocks
        Self.visit(&visited, blockStarts: blockStarts, starts: starts, releasing: false, body)
    }

    /// As `forEachDocument`, freeing each block once its documents are visited: the entries are gone afterwards
    /// (the lexical index write, whose copy of them is in the file by then, so its memory does not grow).
    mutating func drainEachDocument(starts: [UInt32], _ body: (_ row: Int, _ entries: UnsafeBufferPointer<UInt32>) -> Void) {
        var drained = blocks
        let drainedStarts = blockStarts
        removeAll()
        Self.visit(&drained, blockStarts: drainedStarts, starts: starts, releasing: true, body)
    }

    private static func visit(_ blocks: inout [[UInt32]], blockStarts: [Int], starts: [UInt32], releasing: Bool,
                              _ body: (_ row: Int, _ entries: UnsafeBufferPointer<UInt32>) -> Void) {
        var row = 0
        let rows = starts.count - 1
        for b in blocks.indices {
            let blockStart = blockStarts[b], blockEnd = blockStart + blocks[b].count
            blocks[b].withUnsafeBufferPointer { block in
                while row < rows && Int(starts[row + 1]) <= blockEnd {
                    body(row, UnsafeBufferPointer(rebasing: block[(Int(starts[row]) - blockStart)..<(Int(starts[row + 1]) - blockStart)]))
                    row += 1
                }
            }
            if releasing { blocks[b] = [] }
        }
        while row < rows {
            body(row, UnsafeBufferPointer(start: nil, count: 0))
            row += 1
        }
    }

    /// Calls `body` with each document's entries, writable, in row order.
    mutating func updateEachDocument(starts: [UInt32], _ body: (_ row: Int, _ entries: UnsafeMutableBufferPointer<UInt32>) -> Void) {
        var row = 0
        let rows = starts.count - 1
        for b in blocks.indices {
            let blockStart = blockStarts[b], blockEnd = blockStart + blocks[b].count
            blocks[b].withUnsafeMutableBufferPointer { block in
                while row < rows && Int(starts[row + 1]) <= blockEnd {
                    body(row, UnsafeMutableBufferPointer(rebasing: block[(Int(starts[row]) - blockStart)..<(Int(starts[row + 1]) - blockStart)]))
                    row += 1
                }
            }
        }
    }
}
