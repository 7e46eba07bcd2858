import CSQLite
import Foundation

/// An SQLite VFS ("ytce-parked") that keeps a database being built inside a zip member parked in the pack being
/// written (`ZipAssembler.Writer.parkMember`): a build's `pack.sqlite` is written once, where it ends up, never
/// copied into the pack. Every connection to the registered path opens through it (`SQLiteDatabase` looks the path
/// up); its journal and temporary files are ordinary files of the default VFS. Durability is the zip's: the pack
/// is synced once, whole, before it is renamed into place, so `xSync` has nothing to do.
enum ParkedDatabaseVFS {
    static let name = "ytce-parked"

    private static let lock = NSLock()
    private nonisolated(unsafe) static var members: [Int: StreamedMember] = [:]
    private nonisolated(unsafe) static var paths: [String: Int] = [:]
    private nonisolated(unsafe) static var nextToken = 1

    /// A database at `path` is kept in `member` until `unregister`.
    static func register(path: String, member: StreamedMember) {
        _ = registration
        lock.lock(); defer { lock.unlock() }
        members[nextToken] = member
        paths[path] = nextToken
        nextToken += 1
    }

    static func unregister(path: String) {
        lock.lock(); defer { lock.unlock() }
        if let token = paths.removeValue(forKey: path) { members[token] = nil }
    }

    /// The URI parameters that open the database at `path` through this VFS, when it is registered.
    static func uriParameters(for path: String) -> String? {
        lock.lock(); defer { lock.unlock() }
        return paths[path].map { "vfs=\(name)&ytce_parked=\($0)" }
    }

    private static func member(_ token: Int) -> StreamedMember? {
        lock.lock(); defer { lock.unlock() }
        return members[token]
    }

    private static let registration: Bool = {
        guard let base = sqlite3_vfs_find(nil) else { return false }
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: base.pointee)
        // Journals and temporary files are the default VFS's files, opened into the same allocation.
        vfs.pointee.szOsFile = max(base.pointee.szOsFile, Int32(MemoryLayout<ParkedFile>.stride))
        vfs.pointee.pNext = nil
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.pAppData = UnsafeMutableRawPointer(base)
        vfs.pointee.xOpen = parkedOpen
        return sqlite3_vfs_register(vfs, 0) == SQLITE_OK
    }()

    /// What SQLite allocates per open main database: its own header, then the member's token.
    struct ParkedFile {
        var base: sqlite3_file
        var token: Int
    }

    private static func file(_ file: UnsafeMutablePointer<sqlite3_file>?) -> StreamedMember? {
        file.flatMap { member(UnsafeMutableRawPointer($0).assumingMemoryBound(to: ParkedFile.self).pointee.token) }
    }

    private static let ioError = SQLITE_IOERR
    private static let readError = SQLITE_IOERR | (1 << 8)       // SQLITE_IOERR_READ
    private static let shortRead = SQLITE_IOERR | (2 << 8)       // SQLITE_IOERR_SHORT_READ
    private static let writeError = SQLITE_IOERR | (3 << 8)      // SQLITE_IOERR_WRITE
    private static let truncateError = SQLITE_IOERR | (6 << 8)   // SQLITE_IOERR_TRUNCATE

    private nonisolated(unsafe) static let methods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(to: sqlite3_io_methods())
        methods.pointee.iVersion = 1
        methods.pointee.xClose = { _ in SQLITE_OK }
        methods.pointee.xRead = { handle, buffer, amount, offset in
            guard let member = ParkedDatabaseVFS.file(handle), let buffer, amount >= 0 else { return readError }
            let wanted = UnsafeMutableRawBufferPointer(start: buffer, count: Int(amount))
            guard let got = try? member.read(into: wanted, at: offset) else { return readError }
            guard got == Int(amount) else {
                memset(buffer + got, 0, Int(amount) - got)  // SQLite wants the rest zeroed
                return shortRead
            }
            return SQLITE_OK
        }
        methods.pointee.xWrite = { handle, buffer, amount, offset in
            guard let member = ParkedDatabaseVFS.file(handle), let buffer, amount >= 0 else { return writeError }
            do { try member.store(UnsafeRawBufferPointer(start: buffer, count: Int(amount)), at: offset) } catch { return writeError }
            return SQLITE_OK
        }
        methods.pointee.xTruncate = { handle, size in
            guard let member = ParkedDatabaseVFS.file(handle) else { return truncateError }
            do { try member.truncate(to: size) } catch { return truncateError }
            return SQLITE_OK
        }
        methods.pointee.xSync = { _, _ in SQLITE_OK }
        methods.pointee.xFileSize = { handle, size in
            guard let member = ParkedDatabaseVFS.file(handle) else { return SQLITE_IOERR | (7 << 8) }  // SQLITE_IOERR_FSTAT
            size?.pointee = sqlite3_int64(member.length)
            return SQLITE_OK
        }
        // One process writes the parked database, one connection at a time (the build's own): nothing to lock.
        RegionVFS.setUnlocked(methods)
        methods.pointee.xDeviceCharacteristics = { _ in 0 }
        return methods
    }()

    /// Opens a registered main database from its member; anything else through the default VFS.
    private static let parkedOpen: @convention(c) (UnsafeMutablePointer<sqlite3_vfs>?, sqlite3_filename?,
                                                    UnsafeMutablePointer<sqlite3_file>?, Int32, UnsafeMutablePointer<Int32>?) -> Int32 = {
        vfs, name, file, flags, outFlags in
        guard let vfs, let file else { return SQLITE_CANTOPEN }
        guard flags & SQLITE_OPEN_MAIN_DB != 0, let name else {
            let base = vfs.pointee.pAppData.assumingMemoryBound(to: sqlite3_vfs.self)
            return base.pointee.xOpen(base, name, file, flags, outFlags)
        }
        file.pointee.pMethods = nil  // SQLite closes only files whose methods are set
        let token = Int(sqlite3_uri_int64(name, "ytce_parked", 0))
        guard ParkedDatabaseVFS.member(token) != nil else { return SQLITE_CANTOPEN }
        UnsafeMutableRawPointer(file).assumingMemoryBound(to: ParkedFile.self).pointee.token = token
        file.pointee.pMethods = UnsafePointer(methods)
        outFlags?.pointee = flags
        return SQLITE_OK
    }
}
