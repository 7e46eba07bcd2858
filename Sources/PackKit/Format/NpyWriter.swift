import Foundation

/// Streams rows of a float32 matrix into a `.npy` file; the row count goes into the header at `finish()`.
/// Rows arrive one batch at a time so a build never holds a whole matrix in memory.
public final class NpyWriter {
    public let columns: Int
    public private(set) var rows = 0
    private let handle: FileHandle
    private let path: String
    private static let headerLength = 128

    public init(path: String, columns: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.path = path
        self.columns = columns
        try handle.write(contentsOf: NpyHeader.encode(rows: 0, columns: columns, totalLength: Self.headerLength))
    }

    /// Appends rows given as one flat, row-major buffer.
    public func append(_ flat: [Float]) throws {
        precondition(flat.count % columns == 0, "row buffer is not a whole number of rows")
        guard !flat.isEmpty else { return }
        let data = flat.withUnsafeBytes { Data($0) }  // float32 in host order: little-endian on every target we build for
        try handle.write(contentsOf: data)
        rows += flat.count / columns
    }

    public func finish() throws {
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: NpyHeader.encode(rows: rows, columns: columns, totalLength: Self.headerLength))
        try handle.close()
    }
}
