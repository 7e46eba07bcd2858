import Foundation

/// A float32 matrix memory-mapped from a `.npy` file: rows are read in place, never copied.
public final class NpyMatrix: @unchecked Sendable {
    // Immutable after init: the mapping is read-only and lives as long as the object.
    public let rows: Int
    public let columns: Int
    private let mapping: UnsafeRawPointer?
    private let mappingLength: Int
    private let dataOffset: Int

    public struct Problem: Error, Sendable { public let reason: String }

    public init(contentsOf path: String) throws(Problem) {
        let fd: Int32, size: Int
        do { (fd, size) = try InputFile.openRegular(path) } catch { throw Problem(reason: "cannot open: \(error.reason)") }
        defer { close(fd) }
        guard size >= 10 else { throw Problem(reason: "file of \(size) bytes is too short for a .npy header") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw Problem(reason: "cannot map: \(String(cString: strerror(errno)))")
        }
        let header: NpyHeader
        do {
            header = try NpyHeader.parse(UnsafeRawBufferPointer(start: base, count: min(size, 65_536 + 12)))
        } catch {
            munmap(base, size)
            throw Problem(reason: error.reason)
        }
        // Checked arithmetic: the shape comes from the file, and its product may not fit in an Int.
        let (rowBytes, rowOverflow) = header.columns.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let (bytes, bytesOverflow) = header.rows.multipliedReportingOverflow(by: rowBytes)
        let (end, endOverflow) = header.dataOffset.addingReportingOverflow(bytes)
        let overflow = rowOverflow || bytesOverflow || endOverflow
        guard !overflow, end == size else {
            munmap(base, size)
            throw Problem(reason: "header says shape (\(header.rows), \(header.columns)), which needs \(overflow ? "more bytes than any file can hold" : "\(bytes) bytes") of data, but the file holds \(size - header.dataOffset)")
        }
        self.rows = header.rows
        self.columns = header.columns
        self.mapping = UnsafeRawPointer(base)
        self.mappingLength = size
        self.dataOffset = header.dataOffset
    }

    deinit {
        if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), mappingLength) }
    }

    /// All elements, row after row. Valid while `self` is alive.
    public var elements: UnsafeBufferPointer<Float> {
        guard let mapping, rows * columns > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: (mapping + dataOffset).assumingMemoryBound(to: Float.self), count: rows * columns)
    }

    public func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < rows, "row \(index) out of range 0..<\(rows)")
        return UnsafeBufferPointer(rebasing: elements[(index * columns)..<((index + 1) * columns)])
    }
}
