import Foundation

/// A private folder for the readers that take a path (they memory-map or unzip files): each input is written to
/// a file there first. One folder per process, removed at exit.
enum ScratchFolder {
    nonisolated(unsafe) private static var created: String?

    static var path: String {
        if let created { return created }
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let folder = "\(base)/ytce-fuzz-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            fatalError("ytce-fuzz: cannot create the scratch folder \(folder): \(error)")
        }
        created = folder
        atexit { if let folder = ScratchFolder.created { try? FileManager.default.removeItem(atPath: folder) } }
        return folder
    }

    /// Writes `bytes` to `name` in the scratch folder (replacing it) and returns its path.
    static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { fatalError("ytce-fuzz: cannot write \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = Foundation.write(fd, base + offset, bytes.count - offset)
            guard n > 0 else { fatalError("ytce-fuzz: cannot write \(file): \(String(cString: strerror(errno)))") }
            offset += n
        }
        return file
    }

    /// An empty folder `name` in the scratch folder (emptied when it exists).
    static func emptyFolder(_ name: String) -> String {
        let folder = path + "/" + name
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
