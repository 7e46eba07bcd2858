import Foundation

/// `ytce pack compact`: the same pack written again with another compression, member for member. Deflated
/// (`.small`) to ship a pack (a third of the size); stored (`.fast`) to turn a deflated or foreign pack into one
/// ytce reads in place, with no copy in the cache. The output appears whole or not at all (written beside it,
/// then renamed), so compacting a pack onto itself is safe.
public enum PackCompactor {
    public struct Result: Sendable {
        public var bytesBefore: Int64
        public var bytesAfter: Int64
        public var seconds: Double
    }

    public static func compact(_ input: String, to output: String, compression: PackCompression,
                               cache: PackCache) throws(PackError) -> Result {
        let started = Date()
        // A pack that does not open is not rewritten: its problem is said now, not by whoever opens the copy.
        _ = try ChannelPack.open(input, options: .init(cache: cache))
        let archive: ZipArchiveReader
        do { archive = try ZipArchiveReader(path: input) } catch {
            throw PackError(error.kind == .notAZip ? .notAZip : .io, pack: input, error.reason)
        }
        let entries = try cache.checkedEntries(archive, pack: input).filter { !$0.isDirectory }
        let workspace: BuildWorkspace
        do { workspace = try BuildWorkspace(output: URL(fileURLWithPath: output)) } catch {
            throw PackError(.io, pack: output, "cannot write beside \(output): \(error)")
        }
        defer { workspace.discard() }
        for entry in entries {
            let destination = workspace.file(entry.name)
            do {
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try archive.extract(entry, to: destination)
            } catch let error as ZipProblem {
                throw PackError(error.kind == .io ? .io : .truncated, pack: input, error.reason)
            } catch {
                throw PackError(.io, pack: output, "cannot write \(destination): \(error.localizedDescription)")
            }
        }
        let date = (try? FileManager.default.attributesOfItem(atPath: input)[.modificationDate] as? Date) ?? started
        func size(_ path: String) -> Int64 {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        }
        // Measured before the rewrite: written over itself (--out the same file), the input is the output after.
        let before = size(input)
        do {
            try workspace.publish(modificationDate: date, compression: compression, entries: entries.map(\.name),
                                  isCancelled: { false })
        } catch {
            throw PackError(.io, pack: output, "cannot write the pack: \(error)")
        }
        return Result(bytesBefore: before, bytesAfter: size(output), seconds: Date().timeIntervalSince(started))
    }
}
