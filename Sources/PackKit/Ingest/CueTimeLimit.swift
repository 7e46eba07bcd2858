/// How late a caption time may plausibly be.
///
/// YouTube takes uploads of at most 12 hours and archives live streams up to 12 hours; 48 hours leaves room for
/// other long recordings. A cue that starts or ends later than that is a broken timestamp (`99999:00:00`, a
/// JSON `start` in milliseconds where seconds were meant), and the transcript is refused with the cue's
/// file and line rather than chunked: windows over such a span would cost memory out of all proportion to the
/// text. Within the bound every time, sum and difference of times is far from overflowing 64 bits.
///
/// When `videos.json` gives the video's duration, cues past its end (with `durationSlackMs` for rounding and
/// captions that linger a moment) are kept but reported as a warning that names the first such cue.
public enum CueTimeLimit {
    /// 48 hours in milliseconds.
    public static let maxMs = 48 * 3_600_000
    /// How far past a known duration a cue may end before it is reported.
    public static let durationSlackMs = 10_000

    /// Why a cue's times are refused, or nil when both are within the bound.
    static func problem(startMs: Int, endMs: Int) -> String? {
        if startMs > maxMs { return "cue starts at \(format(startMs)), past the \(maxMs / 3_600_000)-hour limit on caption times" }
        if endMs > maxMs { return "cue ends at \(format(endMs)), past the \(maxMs / 3_600_000)-hour limit on caption times" }
        return nil
    }

    /// `h:mm:ss.mmm` (any number of hours).
    static func format(_ ms: Int) -> String {
        let seconds = ms / 1000
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let fraction = ms % 1000
        return "\(seconds / 3600):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
            + (fraction == 0 ? "" : "." + String(String(fraction + 1000).dropFirst()))
    }
}
