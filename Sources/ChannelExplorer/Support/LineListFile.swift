import Foundation
import PackKit

/// A small file of one entry per line (the question history, the recent packs), replaced atomically.
enum LineListFile {
    /// The non-empty lines; none when the file is missing or unreadable.
    static func read(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    static func write(_ lines: [String], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
    }
}
