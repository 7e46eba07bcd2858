import Foundation

/// What a pack picker shows about a pack without opening it: the manifest and the number of chunk vectors,
/// read from the zip's directory and the `.npy` header only, so listing many large packs stays instant.
public struct PackPreview: Sendable, Equatable {
    public var path: String
    public var channelTitle: String
    public var videoCount: Int
    /// Rows of the chunk matrix; nil when the pack has no chunk vectors.
    public var chunkCount: Int?
    public var embeddingModelID: String
    public var createdAt: String
    public var fileBytes: Int64
    /// The channel overview `ytce jobs summarize` put into the pack, read where the database lies (an unpacked
    /// folder's file, a stored `.pack` member); nil when there is none or reading it would mean unzipping.
    public var channelOverview: String? = nil

    /// Reads the preview of a `.pack` file or an unpacked pack folder; the error is the pack's one-line problem.
    public static func read(_ path: String) throws(PackError) -> PackPreview {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PackError(.notFound, pack: path, "no such file or folder")
        }
        let manifestData: Data
        var npyPrefix: Data?
        var bytes: Int64 = 0
        if isDirectory.boolValue {
            let root = URL(fileURLWithPath: path, isDirectory: true)
            do { manifestData = try InputFile.read(root.appendingPathComponent(PackLayout.manifest).path, limit: PackManifest.maxBytes) } catch {
                throw PackError(error.isMissing ? .missingEntry : .badManifest, pack: path,
                                error.isMissing ? "no \(PackLayout.manifest) in the folder" : "\(PackLayout.manifest) cannot be read: \(error.reason)")
            }
            npyPrefix = try? InputFile.readPrefix(root.appendingPathComponent(PackLayout.chunkEmbeddings).path, count: 4096)
        } else {
            let zip: ZipArchiveReader
            do { zip = try ZipArchiveReader(path: path) } catch { throw PackError(.notAZip, pack: path, error.reason) }
            guard let manifest = zip.entries.first(where: { $0.name == PackLayout.manifest }) else {
                throw PackError(.missingEntry, pack: path, "no \(PackLayout.manifest) in the archive")
            }
            do {
                manifestData = try zip.data(of: manifest, limit: Int64(PackManifest.maxBytes))
                if let vectors = zip.entries.first(where: { $0.name == PackLayout.chunkEmbeddings }) {
                    npyPrefix = try zip.prefix(of: vectors, count: 4096)
                }
            } catch { throw PackError(.truncated, pack: path, error.reason) }
            bytes = zip.byteCount
        }
        let manifest = try PackManifest.parse(manifestData, pack: path)
        var chunks: Int?
        if let npyPrefix {
            chunks = npyPrefix.withUnsafeBytes { try? NpyHeader.parse($0).rows }
        }
        return PackPreview(path: path, channelTitle: manifest.channelTitle, videoCount: manifest.videoCount,
                           chunkCount: chunks, embeddingModelID: manifest.embeddingModelID,
                           createdAt: manifest.createdAt, fileBytes: bytes,
                           channelOverview: overview(path, isDirectory: isDirectory.boolValue))
    }

    /// The channel overview, when the database can be read without unzipping it.
    private static func overview(_ path: String, isDirectory: Bool) -> String? {
        let database: SQLiteDatabase?
        if isDirectory {
            database = try? SQLiteDatabase(path: URL(fileURLWithPath: path).appendingPathComponent(PackLayout.database).path, mode: .readOnly(immutable: false))
        } else if let archive = try? PackArchive(path: path), archive.isReadableInPlace, let region = archive.region(PackLayout.database) {
            database = try? SQLiteDatabase(path: "\(path):\(PackLayout.database)", mode: .region(region))
        } else {
            database = nil
        }
        return database.flatMap { PackSummaryWriter.channelOverview(database: $0) }
    }
}
