import Foundation

/// `ytce-bench --update [--videos N] [--percent P] [--runs R] [--work DIR]`: `pack build --update` growing the
/// synthetic N-video pack by P% new videos (issue 18's target: 1% on 5,000 hours in <= 3 s), its input folder grown
/// in place (the N transcripts it was built from, unchanged, and the new ones). The base pack is built
/// once by the `ytce` beside this binary; each run starts from a fresh copy of it (not timed), then one whole
/// `ytce pack build --update` process is timed with its peak RSS, and the grown pack is asked a question to show
/// it opens and answers.
enum UpdateBench {
    static func run(ytce: String, arguments: [String]) throws {
        var videos = 5_000, percent = 1.0, runs = 3
        var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench")
        var args = arguments[...]
        while let arg = args.popFirst() {
            switch arg {
            case "--videos": videos = Int(args.popFirst() ?? "") ?? videos
            case "--percent": percent = Double(args.popFirst() ?? "") ?? percent
            case "--runs": runs = Int(args.popFirst() ?? "") ?? runs
            case "--work": work = URL(fileURLWithPath: args.popFirst() ?? work.path)
            default:
                print("usage: ytce-bench --update [--videos N] [--percent P] [--runs R] [--work DIR]")
                exit(2)
            }
        }
        let grownCount = videos + max(1, Int((Double(videos) * percent / 100).rounded()))
        // The synthetic generator is deterministic video by video: the first N videos of the grown channel are the
        // base channel's. The base folder links to the grown folder's transcripts, so the files the update finds are
        // the very files the base was built from (same size and time), as in a folder that grows between updates.
        let grown = work.appendingPathComponent("input-\(grownCount)")
        let input = work.appendingPathComponent("update-input-\(videos)-of-\(grownCount)")
        if !FileManager.default.fileExists(atPath: grown.appendingPathComponent("videos.json").path) {
            print("writing synthetic channel: \(grownCount) videos × 1 h …")
            try SyntheticChannel(videos: grownCount).write(to: grown)
        }
        try linkFirst(videos, of: grown, to: input)
        let base = work.appendingPathComponent("update-base-\(videos).pack")
        try? FileManager.default.removeItem(at: base)
        print("building the base pack (\(videos) videos) …")
        let (buildSeconds, _, buildStatus) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", base.path])
        guard buildStatus == 0 else { print("base build failed (status \(buildStatus))"); exit(1) }
        let pack = work.appendingPathComponent("update-\(videos).pack")
        var times: [Double] = []
        var peakRSS = 0
        for _ in 0..<max(1, runs) {
            try? FileManager.default.removeItem(at: pack)
            try FileManager.default.copyItem(at: base, to: pack)
            sync()
            let (seconds, rss, status) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--update", pack.path, "--input", grown.path])
            guard status == 0 else { print("update failed (status \(status))"); exit(1) }
            times.append(seconds)
            peakRSS = max(peakRSS, rss)
        }
        let cache = work.appendingPathComponent("update-cache")
        try? FileManager.default.removeItem(at: cache)
        let (askSeconds, askRSS, askStatus) = try Bench.runChild(ytce, ["pack", "ask", "--pack", pack.path, "--question", "what is said about the lecture",
                                                                    "--cache-dir", cache.path], discardOutput: true)
        guard askStatus == 0 else { print("ask on the grown pack failed (status \(askStatus))"); exit(1) }
        let size = (try? FileManager.default.attributesOfItem(atPath: pack.path)[.size] as? Int) ?? 0
        print(String(format: "update: %d → %d videos (+%.1f%%); base build %.1f s", videos, grownCount, percent, buildSeconds))
        print(String(format: "update: median %.2f s (runs: %@), peak RSS %d MB; grown pack %.2f GB", Bench.median(times),
                     times.map { String(format: "%.2f", $0) }.joined(separator: ", "), peakRSS / 1024, Double(size) / 1e9))
        print(String(format: "update: first ask on the grown pack %.2f s, %d MB", askSeconds, askRSS / 1024))
        try? FileManager.default.removeItem(at: base)
    }

    /// `folder` made the input of the first `count` videos of `grown`: its channel, those videos, hard links to their
    /// transcripts.
    static func linkFirst(_ count: Int, of grown: URL, to folder: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: folder)
        try fm.createDirectory(at: folder.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        try fm.copyItem(at: grown.appendingPathComponent("channel.json"), to: folder.appendingPathComponent("channel.json"))
        guard let list = try JSONSerialization.jsonObject(with: Data(contentsOf: grown.appendingPathComponent("videos.json"))) as? [[String: Any]],
              list.count >= count else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: grown.appendingPathComponent("videos.json").path])
        }
        let first = Array(list.prefix(count))
        try JSONSerialization.data(withJSONObject: first).write(to: folder.appendingPathComponent("videos.json"))
        for video in first {
            guard let id = video["video_id"] as? String else { continue }
            try fm.linkItem(at: grown.appendingPathComponent("transcripts/\(id).srt"), to: folder.appendingPathComponent("transcripts/\(id).srt"))
        }
    }
}
