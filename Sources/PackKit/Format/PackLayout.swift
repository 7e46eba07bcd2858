import Foundation

/// File names inside a pack, shared by reader and writer.
public enum PackLayout {
    public static let manifest = "manifest.json"
    public static let database = "pack.sqlite"
    public static let vectorsDirectory = "vectors"
    public static let sectionEmbeddings = "vectors/section_embeddings.npy"
    public static let chunkEmbeddings = "vectors/chunk_embeddings.npy"
    public static let bm25Docs = "vectors/bm25_docs.json"
    /// ytce's BM25 index over the chunks (`LexicalIndex`, chunk text + video title; the version names the
    /// recipe); readers that do not know it ignore it.
    public static let lexicalIndex = "vectors/ytce_lexical_index.v1.bin"
    /// ytce's HNSW graph over the chunk vectors (`HNSWGraph`), built for large packs; readers that do not know it
    /// ignore it, and ytce searches exactly without it.
    public static let chunkGraph = "vectors/" + HNSWGraph.fileName
    /// ytce's table of the chunks' videos, sections and times in row order (`ChunkTable`), so a question needs
    /// no scan of the database's chunks; readers that do not know it ignore it.
    public static let chunkTable = "vectors/" + ChunkTable.fileName
    /// ytce's bucket index over hash-embedded chunk vectors (`BucketIndex`), built for large packs; readers that
    /// do not know it ignore it.
    public static let chunkBuckets = "vectors/" + BucketIndex.fileName
    /// Where every member's bytes start in a `.pack` ytce writes: a multiple of the page size, so members are
    /// mapped straight from the file (as Android's zipalign does for apps).
    public static let memberAlignment = 4096
    /// The members a build writes, in their order in the archive (a member a build does not make is left out):
    /// first those complete when the videos are written, then those made after them.
    static let builtFirst = [manifest, database, sectionEmbeddings, chunkEmbeddings, bm25Docs]
    static let builtLast = [lexicalIndex, chunkGraph, chunkTable, chunkBuckets]
    /// Written by ytce into a cache entry: the archive's file list, including files it did not unpack.
    public static let archiveListing = "ytce-archive.json"

    /// Files ytce never reads, left in the archive when it is unpacked into the cache: the reference's
    /// lexical documents duplicate the chunk texts that ytce indexes from the database.
    static let notUnpacked: Set<String> = [bm25Docs]

    /// Whether the pack at `root` holds `name`: unpacked there, or listed as left in the archive.
    public static func contains(_ name: String, root: URL) -> Bool {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path) { return true }
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(archiveListing).path),
              case .array(let names)? = try? JSONValue.parse(data)["entries"] else { return false }
        return names.contains { $0.stringValue == name }
    }
}
