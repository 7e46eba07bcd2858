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
/// .beginStreamedMember`). The kernel is asked to write them to disk as they come, so the zip's final sync finds
/// them written.
final class StreamedMember: ByteSink {
    let name: String
    /// Where the member's bytes start in the zip.
    let dataOffset: Int64
    private(set) var length: Int64 = 0
    private(set) var isClosed = false
    private let file: OutputFile
    /// Bytes up to here were handed to the kernel's writeback.
    private var writtenBack: Int64 = 0
    private static let writeBackStep: Int64 = 16 << 20

    init(name: String, file: OutputFile, dataOffset: Int64) {
        self.name = name
        self.file = file
        self.dataOffset = dataOffset
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !isClosed else { throw ZipAssembler.Problem(description: "\(file.path): \(name) was written to after it was closed") }
        try file.write(bytes)
        length += Int64(bytes.count)
        if length - writtenBack >= Self.writeBackStep {
            WriteBack.start(file.descriptor, offset: dataOffset + writtenBack, count: length - writtenBack)
            writtenBack = length
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws {
        guard offset >= 0, Int64(offset) + Int64(bytes.count) <= length else {
            throw ZipAssembler.Problem(description: "\(file.path): \(name): a patch at \(offset) lies past the \(length) bytes written")
        }
        try file.write(bytes, at: Int(dataOffset) + offset)
    }

    func close() throws {
        isClosed = true
        WriteBack.start(file.descriptor, offset: dataOffset + writtenBack, count: length - writtenBack)
        writtenBack = length
    }
}
