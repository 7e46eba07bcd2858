/// What the benchmark holds a synthetic channel of a given size to: the reference implementation's figures recorded
/// earlier on this kind of machine (a yardstick printed beside ytce's own, never a measurement of this run) and the
/// issues' targets. Sizes other than 500 and 5,000 videos have no reference, rather than a ratio against a channel
/// of another size.
struct RecordedReference {
    var buildSeconds: Double
    var buildMB: Double
    var askSeconds: Double
    var askMB: Double

    static func of(videos: Int) -> RecordedReference? {
        switch videos {
        case 500: return RecordedReference(buildSeconds: 36, buildMB: 805, askSeconds: 6.1, askMB: 880)
        case 5_000: return RecordedReference(buildSeconds: 340, buildMB: 7_500, askSeconds: 63, askMB: 8_400)
        default: return nil
        }
    }

    /// The targets printed after each figure, by channel size (issue 18's at 5,000 hours and more).
    struct Targets {
        var build: String
        var peakRSS: String
        var ask: String

        static func of(videos: Int) -> Targets {
            if videos >= 5_000 { return Targets(build: "target ≤ 20 s", peakRSS: "target ≤ 500 MB", ask: "target ≤ 100 ms, ≤ 200 MB") }
            return Targets(build: videos == 500 ? "target ≥ 25×" : "", peakRSS: "", ask: "target ≤ 150 ms, ≤ 220 MB")
        }
    }
}
