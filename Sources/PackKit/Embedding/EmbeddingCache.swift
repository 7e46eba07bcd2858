import Crypto
import Foundation

/// Vectors an embeddings endpoint computed, kept in one SQLite file keyed by the model and the text's SHA-256, so
/// that a build killed half-way (or run again on a grown channel) never pays for the same vector twice. Every batch
/// an endpoint answers is committed at once (WAL: a killed process loses nothing committed, and several builds may
/// share the file). The model's vector length is remembered too, so a build whose vectors are all cached needs no
/// server at all.
public final class EmbeddingCache: @unchecked Sendable {
    // The connection is used under `lock` only.
    private let database: SQLiteDatabase
    private let lock = NSLock()
    private let lookup: SQLiteStatement
    private let insert: SQLiteStatement
    public let path: String

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Where `AppPaths` keeps it: `$YTCE_EMBEDDING_CACHE`, else `$XDG_CACHE_HOME/ytce/embeddings.sqlite`, else
    /// `~/.cache/ytce/embeddings.sqlite`.
    public static func standardPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        AppPaths(environment: environment).embeddingCache
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS embedding (key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vector BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS model (name TEXT PRIMARY KEY, dim INTEGER NOT NULL);
        """

    public init(path: String) throws(Problem) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch { throw Problem(description: "\(path): cannot create its folder: \(error.localizedDescription)") }
        do {
            // A power cut may lose the last commits: those vectors are paid again.
            database = try SQLiteDatabase.sharedStore(path: path, busyTimeoutMs: 10_000)
            try database.execute(Self.schema)
            lookup = try database.prepare("SELECT dim, vector FROM embedding WHERE key = ?1")
            insert = try database.prepare("INSERT OR REPLACE INTO embedding (key, dim, vector) VALUES (?1, ?2, ?3)")
        } catch {
            throw Problem(description: "\(path): cannot open the embedding cache: \(error)")
        }
    }

    /// The key of `text` embedded by `model`: SHA-256 over the model name, a zero byte and the text.
    public static func key(model: String, text: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(model.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(text.utf8))
        return Array(hasher.finalize())
    }

    /// The cached vector of `key` when it has `dimension` numbers (nil otherwise).
    public func vector(_ key: [UInt8], dimension: Int) throws(Problem) -> [Float]? {
        try locked {
            lookup.reset()
            key.withUnsafeBytes { lookup.bind(1, bytes: $0) }
            guard try lookup.step(), lookup.int(0) == dimension else { return nil }
            let bytes = lookup.blob(1)
            guard bytes.count == dimension * MemoryLayout<Float>.size else { return nil }
            var vector = [Float](repeating: 0, count: dimension)
            vector.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
            return vector
        }
    }

    /// Stores vectors in one transaction.
    public func store(_ entries: [(key: [UInt8], vector: [Float])]) throws(Problem) {
        guard !entries.isEmpty else { return }
        try locked {
            try database.transaction {
                for entry in entries {
                    entry.key.withUnsafeBytes { insert.bind(1, bytes: $0) }
                    insert.bind(2, entry.vector.count)
                    entry.vector.withUnsafeBytes { insert.bind(3, bytes: $0) }
                    try insert.run()
                }
            }
        }
    }

    /// The vector length `model` was last seen to produce.
    public func dimension(of model: String) throws(Problem) -> Int? {
        try locked {
            let statement = try database.prepare("SELECT dim FROM model WHERE name = ?1")
            statement.bind(1, model)
            return try statement.step() ? statement.int(0) : nil
        }
    }

    public func remember(dimension: Int, of model: String) throws(Problem) {
        try locked {
            let statement = try database.prepare("INSERT OR REPLACE INTO model (name, dim) VALUES (?1, ?2)")
            statement.bind(1, model)
            statement.bind(2, dimension)
            try statement.run()
        }
    }

    /// How many vectors the cache holds.
    public func count() throws(Problem) -> Int {
        try locked { Int(try database.scalarInt("SELECT count(*) FROM embedding") ?? 0) }
    }

    private func locked<T>(_ body: () throws -> T) throws(Problem) -> T {
        lock.lock()
        defer { lock.unlock() }
        do { return try body() } catch let problem as Problem { throw problem } catch {
            throw Problem(description: "\(path): \(error)")
        }
    }
}
