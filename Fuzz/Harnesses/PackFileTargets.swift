import Foundation
@testable import PackKit

/// Small JSON files of packs and channel folders: `manifest.json`, `channel.json` + `videos.json`, and the question
/// sets `ytce eval` reads.
enum ManifestTarget {
    static let manifest = FuzzTarget(
        name: "manifest",
        summary: "PackManifest.parse; a manifest that parses re-encodes to one that parses to the same manifest",
        maxLength: 4 << 10,
        dictionary: "json"
    ) { input in
        guard let manifest = try? PackManifest.parse(Data(input), pack: "fuzz.pack") else { return }
        let again: PackManifest
        do throws(PackError) { again = try PackManifest.parse(manifest.encoded(), pack: "fuzz.pack") } catch {
            return require(false, "an encoded manifest does not parse: \(error)")
        }
        require(again == manifest, "a manifest changed on re-encoding")
    }
}

enum ChannelFilesTarget {
    static let channel = FuzzTarget(
        name: "channel",
        summary: "ChannelInput.load on channel.json + videos.json (the input split at its first NUL byte)",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        let split = input.firstIndex(of: 0) ?? input.count
        let folder = ScratchFolder.emptyFolder("channel")
        _ = ScratchFolder.write(UnsafeRawBufferPointer(rebasing: input[..<split]), as: "channel/channel.json")
        _ = ScratchFolder.write(UnsafeRawBufferPointer(rebasing: input[min(split + 1, input.count)...]), as: "channel/videos.json")
        guard let loaded = try? ChannelInput.load(from: URL(fileURLWithPath: folder)) else { return }
        require(!loaded.channel.channelID.isEmpty, "a channel without an id loaded")
        require(Set(loaded.videos.map(\.videoID)).count == loaded.videos.count, "repeated video ids loaded")
        require(loaded.videos.allSatisfy { $0.durationSec >= 0 }, "a negative duration loaded")
    }
}

enum EvaluationSetTarget {
    static let evalQuestions = FuzzTarget(
        name: "eval-questions",
        summary: "EvaluationSet.load and isHit on every gold span, as ytce eval scores retrieved chunks",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        let path = ScratchFolder.write(input, as: "questions.json")
        guard let set = try? EvaluationSet.load(URL(fileURLWithPath: path)) else { return }
        for question in set.questions {
            for gold in question.gold {
                _ = set.isHit(question, videoID: gold.videoID, startMs: gold.startMs, endMs: gold.endMs)
                _ = set.isHit(question, videoID: gold.videoID, startMs: 0, endMs: 0)
            }
        }
        _ = EvaluationReport(kinds: set.questions.map(\.kind), ranks: set.questions.indices.map { $0 % 3 == 0 ? nil : $0 % 11 })
    }
}
