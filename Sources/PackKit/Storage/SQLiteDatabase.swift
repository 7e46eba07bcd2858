import CSQLite
import Foundation

/// A failure reported by SQLite, with the statement or file it concerns.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (sqlite code \(code))" }

    /// SQLITE_FULL: the disk (or the file system's limit) is full.
    public var isDiskFull: Bool { code == SQLITE_FULL }
}

/// One SQLite connection. Not thread-safe: a connection belongs to one task at a time.
public final class SQLiteDatabase {
    public enum Mode: Sendable {
        /// Read-only; `immutable` promises nobody changes the file (cache copies), which skips locking.
        case readOnly(immutable: Bool)
        case readWriteCreate
        /// Read-only from a byte range of an open file (a stored `.pack` member), through `RegionVFS`.
        case region(FileRegion)
    }

    let handle: OpaquePointer
    public let path: String
    /// The file a region database is read from, kept open as long as the connection (which holds its own copy
    /// of the descriptor anyway).
    private var file: OpenFile?

    public init(path: String, mode: Mode) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        var uri = "file:" + Self.percentEncode(path)
        switch mode {
        case .readOnly(let immutable):
            flags |= SQLITE_OPEN_READONLY
            uri += immutable ? "?immutable=1" : "?mode=ro"
        case .readWriteCreate:
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .region(let region):
            RegionVFS.register()
            flags |= SQLITE_OPEN_READONLY
            uri += "?vfs=\(RegionVFS.name)&immutable=1&ytce_fd=\(region.file.descriptor)&ytce_offset=\(region.offset)&ytce_length=\(region.length)"
        }
        if let parked = ParkedDatabaseVFS.uriParameters(for: path) {
            // A database a build is writing inside the pack (`ParkedDatabaseVFS`).
            uri += (uri.contains("?") ? "&" : "?") + parked
        }
        let rc = sqlite3_open_v2(uri, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: path)
        }
        self.handle = db
        self.path = path
        if case .region(let region) = mode { file = region.file }
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// A store several ytce processes write (jobs, conversations, the embedding cache), created when missing:
    /// write-ahead log (a killed process loses no commit, readers never wait for the writer), `synchronous = NORMAL`
    /// (a power cut may lose the last commits, never corrupts the file) and up to `busyTimeoutMs` waiting for
    /// another process's write.
    public static func sharedStore(path: String, busyTimeoutMs: Int) throws(SQLiteError) -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try database.execute("PRAGMA busy_timeout = \(busyTimeoutMs)")
        try database.execute("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = NORMAL")
        return database
    }

    /// For a WAL database that short-lived processes write a little to (`pack ask --session`): closing leaves the
    /// write-ahead log for the next connection instead of checkpointing it and deleting it, so a process that
    /// commits one turn syncs nothing (with `synchronous = NORMAL`) rather than syncing the log, the database and
    /// the folder (tens of ms on a busy disk). The log is still checkpointed as it grows (`wal_autocheckpoint`).
    /// Committed transactions survive a crash of the process either way.
    public func keepWriteAheadLogOnClose() throws(SQLiteError) {
        var rc = ytce_sqlite_skip_checkpoint_on_close(handle)
        guard rc == SQLITE_OK else { throw error(rc, "\(path): keeping the write-ahead log on close") }
        var persist: Int32 = 1
        rc = sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        guard rc == SQLITE_OK else { throw error(rc, "\(path): keeping the write-ahead log on close") }
    }

    private static func percentEncode(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? "error"
            sqlite3_free(errmsg)
            throw SQLiteError(code: rc, message: message, context: path)
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` inside a transaction; rolls back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// First column of the first row, as an integer (nil when there is no row or it is NULL).
    public func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// All values of the first column as strings.
    public func strings(_ sql: String) throws(SQLiteError) -> [String] {
        let statement = try prepare(sql)
        var out: [String] = []
        while try statement.step() { out.append(statement.string(0) ?? "") }
        return out
    }
}
