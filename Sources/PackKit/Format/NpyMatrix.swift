import Foundation

/// A float32 matrix memory-mapped from a `.npy` file: rows are read in place, never copied.
public final class NpyMatrix: @unchecked Sendable {
    // Immutable after init: the mapping is read-only and lives as long as the object.
    public let rows: Int
    public let columns: Int
    private let mapping: MappedRegion
    private let dataOffset: Int

    public struct Problem: Error, Sendable { public let reason: String }

    public convenience init(contentsOf path: String) throws(Problem) {
        let region: FileRegion
        do { region = try FileRegion.file(atPath: path) } catch { throw Problem(reason: "cannot open: \(error.reason)") }
        try self.init(region: region)
    }

    /// The matrix in `region` (a file, or a stored member of a pack read in place), mapped.
    public init(region: FileRegion) throws(Problem) {
        guard region.length >= 10 else { throw Problem(reason: "file of \(region.length) bytes is too short for a .npy header") }
        let mapped: MappedRegion
        do { mapped = try region.map() } catch { throw Problem(reason: "cannot map: \(error.description)") }
        let size = mapped.count
        let header: NpyHeader
        do {
            header = try NpyHeader.parse(UnsafeRawBufferPointer(rebasing: mapped.bytes.prefix(65_536 + 12)))
        } catch {
            throw Problem(reason: error.reason)
        }
        // Checked arithmetic: the shape comes from the file, and its product may not fit in an Int.
        let (rowBytes, rowOverflow) = header.columns.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let (bytes, bytesOverflow) = header.rows.multipliedReportingOverflow(by: rowBytes)
        let (end, endOverflow) = header.dataOffset.addingReportingOverflow(bytes)
        let overflow = rowOverflow || bytesOverflow || endOverflow
        guard !overflow, end == size else {
            throw Problem(reason: "header says shape (\(header.rows), \(header.columns)), which needs \(overflow ? "more bytes than any file can hold" : "\(bytes) bytes") of data, but the file holds \(size - header.dataOffset)")
        }
        // Floats are read in place: their first byte must be 4-aligned in memory (the header's length and the
        // member's offset in a pack decide it; ytce aligns both).
        guard (Int(bitPattern: mapped.base) + header.dataOffset) % MemoryLayout<Float>.alignment == 0 else {
            throw Problem(reason: "its data does not start at a multiple of 4 bytes, so it cannot be read in place")
        }
        self.rows = header.rows
        self.columns = header.columns
        self.mapping = mapped
        self.dataOffset = header.dataOffset
    }

    /// All elements, row after row. Valid while `self` is alive.
    public var elements: UnsafeBufferPointer<Float> {
        guard rows * columns > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: (mapping.base + dataOffset).assumingMemoryBound(to: Float.self), count: rows * columns)
    }

    /// Maps the pages of `rows` before a scan reads them all (see `MappedRegion.populate`).
    func prepareForScan(rows range: Range<Int>) {
        let rowBytes = columns * MemoryLayout<Float>.size
        mapping.populate((dataOffset + range.lowerBound * rowBytes)..<(dataOffset + range.upperBound * rowBytes))
    }

    public func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < rows, "row \(index) out of range 0..<\(rows)")
        return UnsafeBufferPointer(rebasing: elements[(index * columns)..<((index + 1) * columns)])
    }
}
