import Foundation

/// Which transcript file belongs to which video: `transcripts/<video_id>.<ext>`, every supported extension
/// (the reference looked for .srt/.vtt/.json only and silently dropped SBV). Files that match no video
/// and videos with several files are reported, not ignored.
struct TranscriptPlan: Sendable {
    var files: [String: URL] = [:]
    var stray: [String] = []
    var duplicates: [String] = []

    init(directory: URL, videos: [Video]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let ids = Set(videos.map(\.videoID))
        var byVideo: [String: [String]] = [:]
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = URL(fileURLWithPath: name)
            let ext = url.pathExtension.lowercased()
            let stem = url.deletingPathExtension().lastPathComponent
            guard TranscriptReader.fileExtensions.contains(ext), ids.contains(stem) else {
                stray.append(name)
                continue
            }
            byVideo[stem, default: []].append(name)
        }
        for (id, candidates) in byVideo {
            // Preference when a video has several: the richer timing formats first.
            let ranked = candidates.sorted {
                (TranscriptReader.fileExtensions.firstIndex(of: URL(fileURLWithPath: $0).pathExtension.lowercased()) ?? 9, $0)
                    < (TranscriptReader.fileExtensions.firstIndex(of: URL(fileURLWithPath: $1).pathExtension.lowercased()) ?? 9, $1)
            }
            files[id] = directory.appendingPathComponent(ranked[0])
            if ranked.count > 1 {
                duplicates.append("\(id): \(ranked.joined(separator: ", ")) (using \(ranked[0]))")
            }
        }
        duplicates.sort()
    }
}
