import CSQLite
import Foundation

/// An SQLite VFS ("ytce-region") that serves a database from a byte range of an open file, read-only: how
/// `pack.sqlite` is read straight out of a stored `.pack` member, with no copy.
///
/// The database is opened with the URI parameters `ytce_fd` (a descriptor the VFS duplicates while opening, so
/// the file stays open, and its inode alive, even when the pack is replaced by a rename), `ytce_offset` and
/// `ytce_length`, and `immutable=1`: SQLite then takes no locks and looks for no journal. Only the main database
/// opens; journals, WAL files and temporary files are refused, any write fails with `SQLITE_READONLY`, and no
/// file on disk ever exists for this VFS (`xAccess` says so).
enum RegionVFS {
    static let name = "ytce-region"

    /// Registers the VFS once (not as the default one).
    static func register() {
        _ = registration
    }

    private static let registration: Bool = {
        guard let base = sqlite3_vfs_find(nil) else { return false }
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: base.pointee)
        vfs.pointee.iVersion = 2
        vfs.pointee.szOsFile = Int32(MemoryLayout<RegionFile>.stride)
        vfs.pointee.mxPathname = 4096
        vfs.pointee.pNext = nil
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.pAppData = nil
        vfs.pointee.xOpen = regionOpen
        vfs.pointee.xDelete = { _, _, _ in SQLITE_READONLY }
        vfs.pointee.xAccess = { _, _, _, result in
            result?.pointee = 0
            return SQLITE_OK
        }
        vfs.pointee.xFullPathname = { _, name, size, out in
            guard let name, let out, size > 0 else { return SQLITE_CANTOPEN }
            let length = strlen(name)
            guard length < Int(size) else { return SQLITE_CANTOPEN }
            memcpy(out, name, length + 1)
            return SQLITE_OK
        }
        return sqlite3_vfs_register(vfs, 0) == SQLITE_OK
    }()

    /// What SQLite allocates per open file: its own header, then ours.
    struct RegionFile {
        var base: sqlite3_file
        var descriptor: Int32
        var offset: Int64
        var length: Int64
    }

    private nonisolated(unsafe) static let methods: UnsafeMutablePointer<sqlite3_io_methods> = {
        let methods = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        methods.initialize(to: sqlite3_io_methods())
        methods.pointee.iVersion = 1
        methods.pointee.xClose = { file in
            guard let state = RegionVFS.state(file) else { return SQLITE_OK }
            if state.pointee.descriptor >= 0 { close(state.pointee.descriptor) }
            state.pointee.descriptor = -1
            return SQLITE_OK
        }
        methods.pointee.xRead = { file, buffer, amount, offset in
            guard let state = RegionVFS.state(file), let buffer, amount >= 0, offset >= 0 else { return SQLITE_IOERR | (1 << 8) }
            let region = state.pointee
            var filled = 0
            // Never past the member: its length bounds every read.
            let available = offset < region.length ? Int(min(Int64(amount), region.length - offset)) : 0
            while filled < available {
                let n = pread(region.descriptor, buffer + filled, available - filled, off_t(region.offset + offset) + off_t(filled))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return SQLITE_IOERR | (1 << 8) }  // SQLITE_IOERR_READ
                if n == 0 { break }
                filled += n
            }
            guard filled == Int(amount) else {
                memset(buffer + filled, 0, Int(amount) - filled)
                return SQLITE_IOERR | (2 << 8)  // SQLITE_IOERR_SHORT_READ: SQLite wants the rest zeroed
            }
            return SQLITE_OK
        }
        methods.pointee.xWrite = { _, _, _, _ in SQLITE_READONLY }
        methods.pointee.xTruncate = { _, _ in SQLITE_READONLY }
        methods.pointee.xSync = { _, _ in SQLITE_OK }
        methods.pointee.xFileSize = { file, size in
            guard let state = RegionVFS.state(file) else { return SQLITE_IOERR | (7 << 8) }  // SQLITE_IOERR_FSTAT
            size?.pointee = sqlite3_int64(state.pointee.length)
            return SQLITE_OK
        }
        setUnlocked(methods)
        methods.pointee.xDeviceCharacteristics = { _ in SQLITE_IOCAP_IMMUTABLE }
        return methods
    }()

    /// The methods of a file no other process touches: locks that always succeed, no file controls, 4 KiB sectors
    /// (shared with `ParkedDatabaseVFS`).
    static func setUnlocked(_ methods: UnsafeMutablePointer<sqlite3_io_methods>) {
        methods.pointee.xLock = { _, _ in SQLITE_OK }
        methods.pointee.xUnlock = { _, _ in SQLITE_OK }
        methods.pointee.xCheckReservedLock = { _, result in
            result?.pointee = 0
            return SQLITE_OK
        }
        methods.pointee.xFileControl = { _, _, _ in SQLITE_NOTFOUND }
        methods.pointee.xSectorSize = { _ in 4096 }
    }

    private static func state(_ file: UnsafeMutablePointer<sqlite3_file>?) -> UnsafeMutablePointer<RegionFile>? {
        file.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: RegionFile.self) }
    }

    /// Opens the main database named by the URI parameters; everything else is refused.
    private static let regionOpen: @convention(c) (UnsafeMutablePointer<sqlite3_vfs>?, sqlite3_filename?,
                                                    UnsafeMutablePointer<sqlite3_file>?, Int32, UnsafeMutablePointer<Int32>?) -> Int32 = {
        _, name, file, flags, outFlags in
        guard let file else { return SQLITE_CANTOPEN }
        file.pointee.pMethods = nil  // SQLite closes only files whose methods are set
        guard let name, flags & SQLITE_OPEN_MAIN_DB != 0 else { return SQLITE_CANTOPEN }
        guard flags & (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == 0 else { return SQLITE_READONLY }
        let descriptor = Int32(clamping: sqlite3_uri_int64(name, "ytce_fd", -1))
        let offset = sqlite3_uri_int64(name, "ytce_offset", -1), length = sqlite3_uri_int64(name, "ytce_length", -1)
        guard descriptor >= 0, offset >= 0, length >= 0 else { return SQLITE_CANTOPEN }
        let own = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard own >= 0 else { return SQLITE_CANTOPEN }
        guard let state = RegionVFS.state(file) else { close(own); return SQLITE_CANTOPEN }
        state.pointee.descriptor = own
        state.pointee.offset = Int64(offset)
        state.pointee.length = Int64(length)
        file.pointee.pMethods = UnsafePointer(methods)
        outFlags?.pointee = SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB
        return SQLITE_OK
    }
}
