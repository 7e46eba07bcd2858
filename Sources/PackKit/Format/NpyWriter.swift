import Foundation

/// Streams rows of a float32 matrix into a `.npy` file (or a member streamed into a zip); the row count goes into
/// the header at `finish()`. Rows arrive one batch at a time so a build never holds a whole matrix in memory.
public final class NpyWriter {
    public let columns: Int
    public private(set) var rows = 0
    private let file: any ByteSink
    private static let headerLength = 128

    public convenience init(path: String, columns: Int) throws {
        try self.init(sink: OutputFile(path: path), columns: columns)
    }

    init(sink: any ByteSink, columns: Int) throws {
        self.file = sink
        self.columns = columns
        try file.write(NpyHeader.encode(rows: 0, columns: columns, totalLength: Self.headerLength))
    }

    /// Appends rows given as one flat, row-major buffer.
    public func append(_ flat: [Float]) throws {
        precondition(flat.count % columns == 0, "row buffer is not a whole number of rows")
        guard !flat.isEmpty else { return }
        try file.write(flat)  // float32 in host order: little-endian on every target we build for
        rows += flat.count / columns
    }

    public func finish() throws {
        try file.write(NpyHeader.encode(rows: rows, columns: columns, totalLength: Self.headerLength), at: 0)
        try file.close()
    }
}
