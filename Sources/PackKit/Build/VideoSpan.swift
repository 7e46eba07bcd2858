/// Where a video's rows lie in a ytce pack (`ytce_video_span`): its segments, sections and chunks are contiguous id
/// ranges, inserted together.
struct VideoSpan: Sendable, Equatable {
    var firstSegmentID: Int64
    var segmentCount: Int
    var firstSectionID: Int64
    var sectionCount: Int
    var firstChunkID: Int64
    var chunkCount: Int

    /// Every video's span; nil when the pack has no span table (not built by ytce).
    static func all(in database: SQLiteDatabase) throws(SQLiteError) -> [String: VideoSpan]? {
        guard (try database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_span'") ?? 0) > 0 else { return nil }
        let rows = try database.prepare("""
            SELECT video_id, first_segment_id, segment_count, first_section_id, section_count, first_chunk_id, chunk_count FROM ytce_video_span
            """)
        var out: [String: VideoSpan] = [:]
        // Sized once: every open of a 5,000-video pack reads them all, and each doubling rehashed into fresh pages.
        out.reserveCapacity(max(0, Int(clamping: try database.scalarInt("SELECT count(*) FROM ytce_video_span") ?? 0)))
        while try rows.step() {
            out[rows.string(0) ?? ""] = VideoSpan(firstSegmentID: rows.int64(1), segmentCount: rows.int(2), firstSectionID: rows.int64(3),
                                                  sectionCount: rows.int(4), firstChunkID: rows.int64(5), chunkCount: rows.int(6))
        }
        return out
    }

    /// Whether runs of ids (first, count) account for a table whose ids go from `ids.low` to `ids.high`: the
    /// non-empty runs do not overlap, the first starts at the smallest id and the last ends at the largest (an
    /// empty table: no rows in any run). Gaps between runs are the runs of rows an update removed.
    static func runsCover(_ ids: (low: Int64, high: Int64), _ runs: [(first: Int64, count: Int)]) -> Bool {
        let sorted = runs.filter { $0.count > 0 }.sorted { $0.first < $1.first }
        guard let first = sorted.first else { return ids.high == 0 }
        var end: Int64 = 0
        for run in sorted {
            guard run.first > end else { return false }  // ids start at 1; a run starts after the one before ends
            let (runEnd, overflow) = run.first.addingReportingOverflow(Int64(run.count) - 1)
            guard !overflow else { return false }
            end = runEnd
        }
        return ids.low == first.first && ids.high == end
    }
}
