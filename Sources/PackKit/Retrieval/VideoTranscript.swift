import Foundation

/// A video's whole transcript as a reader sees it: segments in spoken order, its sections (chapter titles or
/// automatic ones) and its episode summary when the pack has one.
public struct VideoTranscript: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var id: Int64
        public var startMs: Int
        public var endMs: Int
        public var text: String
    }

    public struct Section: Sendable, Equatable {
        public var title: String
        public var startMs: Int
        public var endMs: Int
    }

    public var videoID: String
    public var title: String
    public var url: String
    public var durationSec: Int
    public var segments: [Segment]
    public var sections: [Section]
    /// The longest-form episode summary (`episode_long`, else `episode_short`), if any.
    public var summary: String?

    public init(videoID: String, title: String, url: String, durationSec: Int, segments: [Segment], sections: [Section], summary: String?) {
        self.videoID = videoID
        self.title = title
        self.url = url
        self.durationSec = durationSec
        self.segments = segments
        self.sections = sections
        self.summary = summary
    }

    /// Reads the video from an open pack; a video without a transcript gives an empty `segments`.
    public static func load(_ videoID: String, from pack: ChannelPack) throws -> VideoTranscript {
        let db = pack.database
        let video = try db.prepare("SELECT title, url, duration_sec FROM video WHERE video_id = ?1")
        video.bind(1, videoID)
        guard try video.step() else { throw PackError(.missingEntry, pack: pack.source, "no video '\(videoID)' in this pack") }
        let duration = try PackTime.readSeconds(video, 2, name: "duration_sec", table: "video", row: "'\(videoID)'", pack: pack.source)
        var transcript = VideoTranscript(videoID: videoID, title: video.string(0) ?? videoID, url: video.string(1) ?? "",
                                         durationSec: duration, segments: [], sections: [], summary: nil)
        // ytce packs store a video's rows contiguously (ytce_video_span): a rowid range, not a scan.
        let spans = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_span'") ?? 0
        let segments = try db.prepare(spans > 0 ? """
            SELECT t.segment_id, t.start_ms, t.end_ms, t.text FROM ytce_video_span s JOIN transcript_segment t
              ON t.segment_id BETWEEN s.first_segment_id AND s.first_segment_id + s.segment_count - 1
            WHERE s.video_id = ?1 ORDER BY t.start_ms, t.segment_id
            """ : "SELECT segment_id, start_ms, end_ms, text FROM transcript_segment WHERE video_id = ?1 ORDER BY start_ms, segment_id")
        segments.bind(1, videoID)
        while try segments.step() {
            let id = segments.int64(0)
            transcript.segments.append(Segment(
                id: id, startMs: try PackTime.read(segments, 1, name: "start_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                endMs: try PackTime.read(segments, 2, name: "end_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                text: segments.string(3) ?? ""))
        }
        let sections = try db.prepare("SELECT title, start_ms, end_ms, section_id FROM section WHERE video_id = ?1 ORDER BY start_ms")
        sections.bind(1, videoID)
        while try sections.step() {
            let id = sections.int64(3)
            transcript.sections.append(Section(
                title: sections.string(0) ?? "",
                startMs: try PackTime.read(sections, 1, name: "start_ms", table: "section", rowID: id, pack: pack.source),
                endMs: try PackTime.read(sections, 2, name: "end_ms", table: "section", rowID: id, pack: pack.source)))
        }
        let summary = try db.prepare("""
            SELECT text FROM summary WHERE video_id = ?1 AND kind IN ('episode_long', 'episode_short') AND length(text) > 0
            ORDER BY kind = 'episode_long' DESC, summary_id DESC LIMIT 1
            """)
        summary.bind(1, videoID)
        if try summary.step() { transcript.summary = summary.string(0) }
        return transcript
    }
}

/// One row of a pack's video library.
public struct VideoListing: Sendable, Equatable {
    public var videoID: String
    public var title: String
    public var url: String
    public var durationSec: Int
    public var publishedAt: String
    public var sectionCount: Int
    public var hasTranscript: Bool
    public var hasSummary: Bool
    /// The episode summary a list shows under the selected video: the short kind when there is one, else the long.
    public var summary: String? = nil

    /// Every video of the pack, in published order (then title).
    public static func all(in pack: ChannelPack) throws -> [VideoListing] {
        let db = pack.database
        var sections: [String: Int] = [:]
        let counts = try db.prepare("SELECT video_id, count(*) FROM section GROUP BY video_id")
        while try counts.step() { sections[counts.string(0) ?? ""] = counts.int(1) }
        var summarised = Set<String>()
        let summaries = try db.prepare("SELECT DISTINCT video_id FROM summary WHERE kind LIKE 'episode%' AND length(text) > 0")
        while try summaries.step() { summarised.insert(summaries.string(0) ?? "") }
        // Each video's newest summary, long ones read first so that a short one replaces them.
        var texts: [String: String] = [:]
        let episode = try db.prepare("""
            SELECT video_id, text FROM summary WHERE kind IN ('episode_long', 'episode_short') AND length(text) > 0
            ORDER BY kind = 'episode_short', summary_id
            """)
        while try episode.step() { if let id = episode.string(0), let text = episode.string(1) { texts[id] = text } }
        let spans = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_span'") ?? 0
        var transcribed = Set<String>()
        let withSegments = try db.prepare(spans > 0 ? "SELECT video_id FROM ytce_video_span WHERE segment_count > 0"
                                                    : "SELECT DISTINCT video_id FROM transcript_segment")
        while try withSegments.step() { transcribed.insert(withSegments.string(0) ?? "") }
        var out: [VideoListing] = []
        let videos = try db.prepare("SELECT video_id, title, url, duration_sec, published_at FROM video ORDER BY published_at, title")
        while try videos.step() {
            let id = videos.string(0) ?? ""
            out.append(VideoListing(videoID: id, title: videos.string(1) ?? id, url: videos.string(2) ?? "",
                                    durationSec: try PackTime.readSeconds(videos, 3, name: "duration_sec", table: "video", row: "'\(id)'", pack: pack.source),
                                    publishedAt: videos.string(4) ?? "",
                                    sectionCount: sections[id] ?? 0, hasTranscript: transcribed.contains(id),
                                    hasSummary: summarised.contains(id), summary: texts[id]))
        }
        return out
    }
}
