/// A pointer from an answer into the channel: `[video_id @ mm:ss-mm:ss]` (`hh:mm:ss` past an hour),
/// the form the reference's prompts ask models to write.
public struct Citation: Sendable, Hashable, CustomStringConvertible {
    public var videoID: String
    public var startMs: Int
    public var endMs: Int

    public init(videoID: String, startMs: Int, endMs: Int) {
        self.videoID = videoID
        self.startMs = startMs
        self.endMs = endMs
    }

    /// The citation as written in answers and prompts.
    public var description: String {
        "[\(videoID) @ \(Self.timestamp(startMs))-\(Self.timestamp(endMs))]"
    }

    /// `mm:ss`, or `hh:mm:ss` from one hour on, with two-digit fields (the reference's `ms_to_timestamp`).
    public static func timestamp(_ ms: Int) -> String {
        let s = max(0, ms) / 1000
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(two(h)):\(two(m)):\(two(sec))" : "\(two(m)):\(two(sec))"
    }

    /// YouTube link that starts playing at the citation (`&t=123s`).
    public func deepLink(videoURL: String?) -> String {
        var base = "https://www.youtube.com/watch?v=\(videoID)"
        if let videoURL, !videoURL.isEmpty { base = videoURL }
        let separator = base.contains("?") ? "&" : "?"
        return "\(base)\(separator)t=\(max(0, startMs) / 1000)s"
    }
}
