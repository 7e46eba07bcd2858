import Foundation
import PackKit

/// The packs opened last, newest first (20 at most), in the state folder.
enum RecentPacks {
    /// The list (from the data folder while the state folder has none yet).
    static func read(_ paths: AppPaths) -> [String] {
        let file = FileManager.default.fileExists(atPath: paths.recentPacks) ? paths.recentPacks : paths.legacy(paths.recentPacks)
        return LineListFile.read(file)
    }

    /// Puts `path` first (an atomic write).
    static func remember(_ path: String, _ paths: AppPaths) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let list = [absolute] + read(paths).filter { $0 != absolute }
        try? LineListFile.write(Array(list.prefix(20)), to: paths.recentPacks)
    }
}
