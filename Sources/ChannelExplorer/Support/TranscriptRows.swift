import PackKit

/// The transcript viewer's rows in reading order: the episode summary, then each section's title followed by
/// its segments. Scrolling and the cursor count these rows, so a position survives any terminal width.
struct TranscriptRows {
    enum Row: Equatable {
        case summary(String)
        case heading(String, startMs: Int)
        case segment(index: Int)
    }

    let transcript: VideoTranscript
    let rows: [Row]

    init(_ transcript: VideoTranscript) {
        self.transcript = transcript
        var rows: [Row] = []
        if let summary = transcript.summary, !summary.isEmpty { rows.append(.summary(summary)) }
        var sections = transcript.sections[...]
        for (i, segment) in transcript.segments.enumerated() {
            while let next = sections.first, next.startMs <= segment.startMs {
                rows.append(.heading(next.title, startMs: next.startMs))
                sections = sections.dropFirst()
            }
            rows.append(.segment(index: i))
        }
        self.rows = rows
    }

    var count: Int { rows.count }

    func row(ofSegment id: Int64) -> Int? {
        rows.firstIndex { if case .segment(let i) = $0 { return transcript.segments[i].id == id }; return false }
    }

    /// The row of the segment being spoken at `ms` (the last one starting at or before it).
    func row(atMs ms: Int) -> Int? {
        var best: Int?
        for (r, row) in rows.enumerated() {
            guard case .segment(let i) = row else { continue }
            if transcript.segments[i].startMs <= ms { best = r } else { break }
        }
        return best ?? rows.firstIndex { if case .segment = $0 { return true }; return false }
    }

    func text(of row: Int) -> String {
        switch rows[row] {
        case .summary(let text): text
        case .heading(let title, _): title
        case .segment(let i): transcript.segments[i].text
        }
    }

    /// Rows whose text contains every word of `query` (case-insensitive).
    func matches(_ query: String) -> [Int] {
        let words = query.lowercased().split(separator: " ")
        guard !words.isEmpty else { return [] }
        return (0..<count).filter { r in
            let text = self.text(of: r).lowercased()
            return words.allSatisfy { text.contains($0) }
        }
    }
}

/// Parses `12:30`, `1:02:03` or `90` (seconds) into milliseconds.
func parseTimestamp(_ text: String) -> Int? {
    let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
    guard (1...3).contains(parts.count) else { return nil }
    var seconds = 0
    for (i, part) in parts.enumerated() {
        // Short numbers only (no overflow); minutes and seconds after the first field stay under 60.
        guard part.count <= 6, let n = Int(part), n >= 0, i == 0 || n < 60 else { return nil }
        seconds = seconds * 60 + n
    }
    return seconds * 1000
}
