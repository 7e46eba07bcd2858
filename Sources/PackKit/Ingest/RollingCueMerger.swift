/// Removes the repetition in YouTube auto-caption ("rolling") cues.
///
/// YouTube's auto-generated captions show two lines: each cue repeats the previous cue's last
/// line and adds a new one, and between them sit ~10 ms cues that only repeat text:
///
///     00:00:00.160 --> 00:00:02.470   ["hi everyone"]
///     00:00:02.470 --> 00:00:02.480   ["hi everyone"]                 (transition)
///     00:00:02.480 --> 00:00:05.030   ["hi everyone", "so today we"]
///
/// Detection is per file, on cleaned lines: a pair of consecutive cues *overlaps* when the
/// last k lines of the first equal the first k lines of the second (1 ≤ k ≤ 4, exact match).
/// The file is treated as rolling when at least 2 pairs and at least half of all pairs overlap
/// (in YouTube's files nearly every pair does; in ordinary captions an overlap is a rare
/// coincidence). Only then, for every overlapping pair, the
/// repeated lines are dropped from the later cue; a cue left with no lines is dropped and the
/// previous kept segment's end is extended to cover it. Files that are not rolling are left
/// untouched, so genuinely different (or coincidentally equal) consecutive cues are never merged.
enum RollingCueMerger {
    struct Piece {
        var cue: Int
        var skipLines: Int
        var startMs: Int
        var endMs: Int
    }

    static func merge(_ cues: [RawCue], lines: [CueBuffer.Span]) -> [Piece] {
        var overlaps = [Int](repeating: 0, count: max(0, cues.count - 1))
        var overlapping = 0
        for i in overlaps.indices {
            overlaps[i] = overlap(cues[i], cues[i + 1], lines: lines)
            if overlaps[i] > 0 { overlapping += 1 }
        }
        let rolling = overlapping >= 2 && overlapping * 2 >= overlaps.count

        var pieces: [Piece] = []
        pieces.reserveCapacity(cues.count)
        for (index, cue) in cues.enumerated() {
            let skip = rolling && index > 0 ? overlaps[index - 1] : 0
            if skip >= cue.lineCount {
                // Entirely a repeat of what is already on screen.
                if !pieces.isEmpty { pieces[pieces.count - 1].endMs = max(pieces[pieces.count - 1].endMs, cue.endMs) }
                continue
            }
            pieces.append(Piece(cue: index, skipLines: skip, startMs: cue.startMs, endMs: cue.endMs))
        }
        return pieces
    }

    /// Rolling captions repeat one line (two at most); longer overlaps are not looked for, which
    /// keeps pathological many-line cues linear.
    static let maxOverlapLines = 4

    /// Largest k ≥ 1 (at most `maxOverlapLines`) such that the last k lines of `a` equal the first k lines of `b`, else 0.
    static func overlap(_ a: RawCue, _ b: RawCue, lines: [CueBuffer.Span]) -> Int {
        let maxK = min(a.lineCount, b.lineCount, maxOverlapLines)
        guard maxK > 0 else { return 0 }
        return a.text.utf8.withContiguousStorageIfAvailable { pa -> Int in
            b.text.utf8.withContiguousStorageIfAvailable { pb -> Int in
                func equal(_ la: Int, _ lb: Int) -> Bool {
                    let x = lines[la], y = lines[lb]
                    let n = Int(x.end - x.start)
                    guard n == Int(y.end - y.start) else { return false }
                    var k = 0
                    let sa = Int(x.start), sb = Int(y.start)
                    while k < n {
                        if pa[sa + k] != pb[sb + k] { return false }
                        k += 1
                    }
                    return true
                }
                var k = maxK
                while k > 0 {
                    let aStart = a.firstLine + a.lineCount - k
                    var same = true
                    for j in 0..<k where !equal(aStart + j, b.firstLine + j) {
                        same = false
                        break
                    }
                    if same { return k }
                    k -= 1
                }
                return 0
            } ?? 0
        } ?? 0
    }
}
