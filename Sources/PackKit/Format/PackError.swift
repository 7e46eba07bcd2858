/// Everything that can be wrong with a pack, each said in one line that names the file and the problem.
public struct PackError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound, notAZip, truncated, unsafeEntry, tooLarge, missingEntry
        case badManifest, emptyDatabase, missingTable, missingColumn, corruptDatabase
        case badVectors, embeddingMismatch, io
    }

    public let kind: Kind
    /// The pack (file or folder) as the user named it.
    public let pack: String
    public let detail: String

    public init(_ kind: Kind, pack: String, _ detail: String) {
        self.kind = kind
        self.pack = pack
        self.detail = detail
    }

    public var description: String { "\(pack): \(detail)" }
}
