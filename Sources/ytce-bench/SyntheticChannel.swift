import Foundation
import TestHarness

/// A deterministic channel of `videos` one-hour talks, written as an input folder of SRT files.
/// Words come from a fixed vocabulary with a Zipf-like skew (a few very common words, a long tail),
/// cues every ~3 s with 6-12 words: roughly the shape of real lecture captions.
struct SyntheticChannel {
    var videos: Int
    var secondsPerVideo: Int = 3600

    func write(to folder: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: folder)
        try fm.createDirectory(at: folder.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        let channel = #"{"channel_id": "synthetic", "title": "Synthetic Lectures", "description": "benchmark input", "source": "ytce-bench"}"#
        try Data(channel.utf8).write(to: folder.appendingPathComponent("channel.json"))
        var rng = SplitMix64(seed: 42)
        let vocabulary = Self.vocabulary(&rng, size: 20_000)
        var videosJSON = "["
        for v in 0..<videos {
            let id = String(format: "syn%08d", v)
            let chapters = v % 3 == 0 ? "0:00 Opening\\n12:00 Part one\\n31:30 Part two\\n50:00 Questions" : "A long talk without chapters."
            videosJSON += (v > 0 ? ",\n" : "\n") + #"{"video_id": "\#(id)", "title": "Lecture \#(v)", "description": "\#(chapters)", "published_at": "2025-01-01T00:00:00Z", "duration_sec": \#(secondsPerVideo), "url": "https://www.youtube.com/watch?v=\#(id)"}"#
            var srt = ""
            srt.reserveCapacity(90_000)
            var t = 500
            var cue = 1
            while t < secondsPerVideo * 1000 - 3000 {
                let length = 2000 + Int(rng.next() % 2500)
                srt += "\(cue)\n\(Self.timestamp(t)) --> \(Self.timestamp(t + length))\n"
                let words = 6 + Int(rng.next() % 7)
                for w in 0..<words {
                    // Skewed pick: squaring a uniform number favours low (common) indices.
                    let u = Double(rng.next() % 1_000_000) / 1_000_000
                    srt += (w > 0 ? " " : "") + vocabulary[Int(u * u * u * Double(vocabulary.count - 1))]
                }
                srt += "\n\n"
                t += length + Int(rng.next() % 400)
                cue += 1
            }
            try Data(srt.utf8).write(to: folder.appendingPathComponent("transcripts/\(id).srt"))
        }
        videosJSON += "\n]\n"
        try Data(videosJSON.utf8).write(to: folder.appendingPathComponent("videos.json"))
    }

    static func timestamp(_ ms: Int) -> String {
        String(format: "%02d:%02d:%02d,%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }

    static func vocabulary(_ rng: inout SplitMix64, size: Int) -> [String] {
        let syllables = ["ka", "lo", "mi", "ne", "tor", "qua", "shi", "ben", "da", "rix", "pol", "ver", "sun", "te", "gra", "fy"]
        var words = Set<String>()
        var out: [String] = ["the", "a", "and", "of", "to", "is", "in", "that", "we", "it"]
        while out.count < size {
            let n = 1 + Int(rng.next() % 4)
            let word = (0..<n).map { _ in syllables[Int(rng.next() % UInt64(syllables.count))] }.joined()
            if words.insert(word).inserted { out.append(word) }
        }
        return out
    }
}
