import Foundation

/// `ytce-bench --update [--videos N] [--percent P] [--runs R] [--work DIR]`: `pack build --update` growing the
/// synthetic N-video pack by P% new videos (issue 18's target: 1% on 5,000 hours in <= 3 s). The base pack is built
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
        // base channel's.
        let input = work.appendingPathComponent("input-\(videos)")
        let grown = work.appendingPathComponent("input-\(grownCount)")
        for (folder, count) in [(input, videos), (grown, grownCount)]
        where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("videos.json").path) {
            print("writing synthetic channel: \(count) videos × 1 h …")
            try SyntheticChannel(videos: count).write(to: folder)
        }
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
}
