import Foundation

/// A topic over time: how many moments match it (`Retriever.moments(matching:)`) per upload month, year or video.
/// Months and years run from the first dated video to the last, empty ones included, so a gap shows as a gap.
/// A pack whose videos carry no upload dates falls back to one bar per video in the pack's order, and says so.
public struct TopicTimeline: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        case month, year, video
    }

    public struct Period: Sendable, Equatable {
        /// "2024-03", "2024", or the video's title.
        public var label: String
        /// The video, for a per-video bar.
        public var videoID: String?
        /// Its moments, best first.
        public var moments: [Moment]
        public var count: Int { moments.count }
    }

    public var topic: Topic
    /// What the bars are: the grouping asked for, or `.video` when the pack has no dates.
    public var grouping: Grouping
    public var periods: [Period]
    /// Why the grouping is not the one asked for, or which videos could not be placed.
    public var notes: [String]
    public var total: Int { periods.reduce(0) { $0 + $1.count } }

    /// The chart's title: the topic, what a bar is, and the fallback when there is one.
    public var title: String {
        let what: String
        switch grouping {
        case .month: what = "moments per upload month"
        case .year: what = "moments per upload year"
        case .video: what = "moments per video, in the pack's order"
        }
        return "\(topic.text): \(total) \(what)" + (notes.first.map { " (\($0))" } ?? "")
    }

    /// A video as the timeline places it.
    public struct Video: Sendable, Equatable {
        public var videoID: String
        public var title: String
        /// The upload date as the pack has it ("2024-03-01T…", or "" when unknown).
        public var publishedAt: String

        public init(videoID: String, title: String, publishedAt: String) {
            self.videoID = videoID
            self.title = title
            self.publishedAt = publishedAt
        }

        /// Every video of the pack in its order (by upload date when known, then as the pack lists them).
        public static func all(in pack: ChannelPack) throws -> [Video] {
            let statement = try pack.database.prepare("SELECT video_id, title, coalesce(published_at, '') FROM video ORDER BY published_at, rowid")
            var out: [Video] = []
            while try statement.step() {
                out.append(Video(videoID: statement.string(0) ?? "", title: statement.string(1) ?? "", publishedAt: statement.string(2) ?? ""))
            }
            return out
        }

        /// Year and month of the upload date, when it starts "YYYY-MM".
        var yearMonth: (year: Int, month: Int)? {
            let scalars = Array(publishedAt.utf8.prefix(7))
            guard scalars.count == 7, scalars[4] == UInt8(ascii: "-"),
                  let year = Int(String(decoding: scalars[0..<4], as: UTF8.self)),
                  let month = Int(String(decoding: scalars[5..<7], as: UTF8.self)), (1...12).contains(month) else { return nil }
            return (year, month)
        }
    }

    public init(topic: Topic, moments: [Moment], videos: [Video], by grouping: Grouping) {
        self.topic = topic
        var notes: [String] = []
        var effective = grouping
        let dated = videos.filter { $0.yearMonth != nil }
        if grouping != .video, dated.isEmpty {
            effective = .video
            notes.append("the pack has no upload dates: by video, in the pack's order")
        }
        self.grouping = effective
        var byVideo: [String: [Moment]] = [:]
        for moment in moments { byVideo[moment.videoID, default: []].append(moment) }
        switch effective {
        case .video:
            periods = videos.map { Period(label: $0.title.isEmpty ? $0.videoID : $0.title, videoID: $0.videoID, moments: byVideo[$0.videoID] ?? []) }
        case .month, .year:
            func key(_ date: (year: Int, month: Int)) -> Int { effective == .year ? date.year : date.year * 12 + date.month - 1 }
            func label(_ key: Int) -> String {
                effective == .year ? String(key) : String(format: "%04d-%02d", key / 12, key % 12 + 1)
            }
            let keys = dated.compactMap { $0.yearMonth.map(key) }
            let first = keys.min() ?? 0, last = keys.max() ?? 0
            var buckets = [[Moment]](repeating: [], count: last - first + 1)
            var undated = 0
            for video in videos {
                guard let date = video.yearMonth else {
                    undated += byVideo[video.videoID]?.count ?? 0
                    continue
                }
                buckets[key(date) - first] += byVideo[video.videoID] ?? []
            }
            periods = buckets.enumerated().map { offset, moments in
                Period(label: label(first + offset), videoID: nil,
                       moments: moments.sorted { $0.score > $1.score || ($0.score == $1.score && ($0.videoID, $0.startMs) < ($1.videoID, $1.startMs)) })
            }
            if undated > 0 { notes.append("\(undated) moments in videos without an upload date are not shown") }
        }
        self.notes = notes
    }

    /// The chart as text lines: one bar per period, `width` columns in all, scaled to the largest count.
    public func chartLines(width: Int) -> [String] {
        let labelWidth = min(28, periods.map(\.label.count).max() ?? 0)
        let countWidth = String(periods.map(\.count).max() ?? 0).count
        let barWidth = max(1, width - labelWidth - countWidth - 3)
        return periods.map { period in
            let label = period.label.count > labelWidth ? String(period.label.prefix(labelWidth - 1)) + "…"
                : period.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            let bar = String(repeating: "█", count: barLength(period.count, width: barWidth))
            let count = String(period.count)
            return "\(label) \(String(repeating: " ", count: countWidth - count.count))\(count) \(bar)"
        }
    }

    /// How many cells a count's bar takes out of `width`: scaled to the largest count; a non-zero count always shows.
    public func barLength(_ count: Int, width: Int) -> Int {
        let largest = periods.map(\.count).max() ?? 0
        guard count > 0, largest > 0, width > 0 else { return 0 }
        return max(1, Int((Double(count) / Double(largest) * Double(width)).rounded()))
    }
}

extension Retriever {
    /// The timeline of `topic` over this retriever's pack.
    public func timeline(_ topic: Topic, by grouping: TopicTimeline.Grouping) throws -> TopicTimeline {
        TopicTimeline(topic: topic, moments: try moments(matching: topic), videos: try TopicTimeline.Video.all(in: pack), by: grouping)
    }
}
