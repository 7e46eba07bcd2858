import Foundation

/// Where a streaming writer (`NpyWriter`) puts its bytes: a file of its own, or a member written straight into
/// a zip (`StreamedMember`). Offsets are from the start of the sink's own bytes.
protocol ByteSink: AnyObject {
    /// Appends all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Overwrites bytes written before (a header patched at the end).
    func write(_ bytes: [UInt8], at offset: Int) throws
    /// No more bytes follow.
    func close() throws
}

extension ByteSink {
    func write<T>(_ array: [T]) throws {
        try array.withUnsafeBytes { try write($0) }
    }
}

extension OutputFile: ByteSink {}

/// A zip member whose bytes are written in place in the zip as they are produced (`ZipAssembler.Writer
/// .beginStreamedMember`, or `parkMember` for one written far out in the file and moved into place when the zip
/// reaches it). The kernel is asked to write them to disk as they come, so the zip's final sync finds them written.
final class StreamedMember: ByteSink {
    let name: String
    /// Where the member's bytes start in the zip (a parked member's move when it is adopted).
    private(set) var dataOffset: Int64
    private(set) var length: Int64 = 0
    private(set) var isClosed = false
    /// The member's CRC-32 when its writer computed it as it wrote (`close(checksum:)`): not read back when adopted.
    private(set) var checksum: UInt32?
    /// The most bytes the member may hold: the room before what the zip writes after it.
    let capacity: Int64
    private let file: OutputFile
    /// The range written since the kernel's writeback was last started, and how many bytes went into it.
    private var dirty: (start: Int64, end: Int64, bytes: Int64) = (0, 0, 0)
    private static let writeBackStep: Int64 = 16 << 20

    init(name: String, file: OutputFile, dataOffset: Int64, capacity: Int64) {
        self.name = name
        self.file = file
        self.dataOffset = dataOffset
        self.capacity = capacity
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try store(bytes, at: length)
    }

    func write(_ bytes: [UInt8], at offset: Int) throws {
        guard offset >= 0, Int64(offset) + Int64(bytes.count) <= length else {
            throw ZipAssembler.Problem(description: "\(file.path): \(name): a patch at \(offset) lies past the \(length) bytes written")
        }
        try bytes.withUnsafeBytes { try store($0, at: Int64(offset)) }
    }

    func close() throws {
        isClosed = true
        startWriteBack()
    }

    /// Closes the member, whose CRC-32 its writer knows.
    func close(checksum: UInt32) throws {
        self.checksum = checksum
        try close()
    }

    /// Writes `bytes` at `offset` of the member, growing it when they reach past its end (appended bytes, a patched
    /// header, a database's pages written in any order; a gap reads as zeros).
    func store(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        guard !isClosed else { throw ZipAssembler.Problem(description: "\(file.path): \(name) was written to after it was closed") }
        guard offset >= 0, offset <= capacity, Int64(bytes.count) <= capacity - offset else {
            throw ZipAssembler.Problem(description: "\(file.path): \(name) outgrew the \(capacity) bytes of room the zip keeps for it")
        }
        try file.write(bytes, at: Int(dataOffset + offset))
        let end = offset + Int64(bytes.count)
        length = max(length, end)
        dirty = dirty.bytes == 0 ? (offset, end, Int64(bytes.count))
            : (min(dirty.start, offset), max(dirty.end, end), dirty.bytes + Int64(bytes.count))
        if dirty.bytes >= Self.writeBackStep { startWriteBack() }
    }

    /// Appends `count` bytes of the file at `path` from `offset`, copied inside the kernel (the database an update
    /// changes, copied from the old pack straight into the new one).
    func append(copying path: String, offset: Int64, count: Int64, isCancelled: () -> Bool = { false }) throws {
        guard !isClosed else { throw ZipAssembler.Problem(description: "\(file.path): \(name) was written to after it was closed") }
        guard count >= 0, count <= capacity - length else {
            throw ZipAssembler.Problem(description: "\(file.path): \(name) outgrew the \(capacity) bytes of room the zip keeps for it")
        }
        try KernelCopy.copy(from: path, offset: offset, count: count, to: file.descriptor, at: dataOffset + length, output: file.path,
                            isCancelled: isCancelled)
        WriteBack.start(file.descriptor, offset: dataOffset + length, count: count)
        length += count
    }

    private func startWriteBack() {
        WriteBack.start(file.descriptor, offset: dataOffset + dirty.start, count: dirty.end - dirty.start)
        dirty = (0, 0, 0)
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many there were (fewer past the end).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        guard offset >= 0, offset < length else { return 0 }
        let count = Int(min(Int64(buffer.count), length - offset))
        try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]), at: Int(dataOffset + offset))
        return count
    }

    /// Cuts the member off at `size` bytes.
    func truncate(to size: Int64) throws {
        guard !isClosed else { throw ZipAssembler.Problem(description: "\(file.path): \(name) was truncated after it was closed") }
        guard size >= 0, size <= capacity else {
            throw ZipAssembler.Problem(description: "\(file.path): \(name) cannot hold \(size) bytes")
        }
        length = size
    }

    /// The zip moved the member's bytes (`ZipAssembler.Writer.adopt`).
    func moved(to offset: Int64) {
        dataOffset = offset
    }
}
