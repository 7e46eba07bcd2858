import Foundation
import XCTest
@testable import PackKit

/// Writers of one `.pack` take turns under its `PackFileLock`; readers racing a writer see the old pack or the new
/// one, never a mix; a writer killed mid-way leaves nothing that outlives the next writer in the folder.
final class PackWritersAndReadersTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    private func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// An attach holds the lock from reading the pack until its rewrite is in place: a build that finishes
    /// meanwhile must wait for it, or the attach would publish the old pack over the new build.
    func testABuildWaitsForAnAttachInProgressInsteadOfBeingUndoneByIt() throws {
        let input = try TestSupport.shared("fixtures/demo_channel")
        let pack = dir.appendingPathComponent("demo.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        let first = inode(pack.path)

        let attach = try PackFileLock(packPath: pack.path)  // an attach has read the pack and is rewriting it
        let finished = DispatchSemaphore(value: 0)
        let failure = LockedBox<String?>(nil)
        let done = LockedBox(false)
        Thread.detachNewThread {
            do { _ = try PackBuilder().build(input: input, output: pack) } catch { failure.set("\(error)") }
            done.set(true)
            finished.signal()
        }
        // The build gets as far as its manifest (all but packing), then must wait for the lock: from there it reads
        // the summaries of the pack it replaces and zips.
        let deadline = Date().addingTimeInterval(60)
        var built = false
        while Date() < deadline, !built, !done.get() {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            built = names.contains { $0.hasPrefix(".demo.pack.build-") && FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent(PackLayout.manifest).path) }
            if !built { usleep(10_000) }
        }
        XCTAssertTrue(built, "the build wrote everything but its zip")
        XCTAssertEqual(finished.wait(timeout: .now() + 1.5), .timedOut, "the build waits while the attach holds the lock")
        XCTAssertEqual(inode(pack.path), first, "the pack was not replaced under the attach")
        attach.release()
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success)
        XCTAssertNil(failure.get())
        XCTAssertNotEqual(inode(pack.path), first, "the build published once the attach was done")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["demo.pack"], "no lock or workspace left")
    }

    /// Attaches and builds of one pack, from many threads at once: every attach lands in the pack it read, and
    /// the pack ends as the last writer left it.
    func testConcurrentAttachesAllLand() throws {
        let pack = dir.appendingPathComponent("coffee.pack")
        try FileManager.default.copyItem(at: TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: pack)
        let videos = try TestSupport.open(pack.path, cacheIn: dir).database.strings("SELECT video_id FROM video ORDER BY video_id")
        let failure = LockedBox<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: min(4, videos.count)) { i in
            do { try PackSummaryWriter.attach("summary \(i)", videoID: videos[i], to: pack.path) } catch { failure.set("\(error)") }
        }
        XCTAssertNil(failure.get())
        let after = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertEqual(after.counts.summaries, min(4, videos.count), "no attach undid another")
    }

    /// A reader opening a pack while it is replaced again and again (a rebuild renames a new file over the path)
    /// sees one pack or the other, never an error: libzip must read the size and the bytes of one file.
    func testReadersRacingReplacementsSeeTheOldOrTheNewPack() throws {
        let a = dir.appendingPathComponent("a.pack"), b = dir.appendingPathComponent("b.pack")
        try FileManager.default.copyItem(at: TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: a)
        try FileManager.default.copyItem(at: a, to: b)
        let video = try XCTUnwrap(try TestSupport.open(b.path, cacheIn: dir).database.strings("SELECT video_id FROM video").first)
        try PackSummaryWriter.attach(String(repeating: "a longer pack ", count: 5000), videoID: video, to: b.path)
        let sizes = Set([try FileManager.default.attributesOfItem(atPath: a.path)[.size] as? Int, try FileManager.default.attributesOfItem(atPath: b.path)[.size] as? Int])
        XCTAssertEqual(sizes.count, 2, "the two packs differ in size")

        let target = dir.appendingPathComponent("live.pack")
        try FileManager.default.copyItem(at: a, to: target)
        let stop = LockedBox(false)
        let swapFile = dir.appendingPathComponent(".live.tmp")
        let swapped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var flip = false
            var n = 0
            while !stop.get() {
                let source = flip ? a : b, temporary = swapFile
                if link(source.path, temporary.path) == 0 { rename(temporary.path, target.path) }
                flip.toggle()
                n += 1
            }
            swapped.signal()
        }
        var failures: [String] = []
        var seen = Set<Int>()
        let deadline = Date().addingTimeInterval(8)
        var opens = 0
        while Date() < deadline {
            opens += 1
            do {
                let reader = try ZipArchiveReader(path: target.path)
                seen.insert(Int(reader.byteCount))
                let database = try XCTUnwrap(reader.entries.first { $0.name == PackLayout.database })
                _ = try reader.prefix(of: database, count: 100)
                if opens % 40 == 0 {
                    // A whole open through a fresh cache: two unpacking lanes, each with its own reader.
                    _ = try ChannelPack.open(target.path, options: .init(cache: PackCache(directory: dir.appendingPathComponent("cache-\(opens)"))))
                    try? FileManager.default.removeItem(at: dir.appendingPathComponent("cache-\(opens)"))
                }
            } catch {
                failures.append("\(error)")
            }
        }
        stop.set(true)
        swapped.wait()
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(opens) opens failed, e.g. \(failures.first ?? "")")
        XCTAssertEqual(seen, Set(sizes.compactMap { $0 }), "both packs were read")
    }
}

/// A value shared between threads.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
