/// The reference implementation's figures recorded on this kind of machine for the synthetic channel sizes the
/// benchmark is run at (../shared/NOTES.md): a yardstick printed beside ytce's own, never a measurement of this run.
/// Other sizes have none, rather than a ratio against a channel of another size.
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
}
