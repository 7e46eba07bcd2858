import Foundation

/// Executables built by the same `swift build` as the running test bundle or benchmark.
public enum BuiltProducts {
    /// `name` from the build folder the running binary sits in (test bundles sit one to three levels below it),
    /// else from `fallback` (e.g. the package's `.build/debug`); nil when it was not built.
    public static func executable(_ name: String, fallback: URL? = nil) -> String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        if let fallback, FileManager.default.isExecutableFile(atPath: fallback.appendingPathComponent(name).path) {
            return fallback.appendingPathComponent(name).path
        }
        return nil
    }
}
