/// The chunks of a pack in matrix-row order (row i = i-th chunk by id), held in memory for ranking:
/// ids, videos, sections and spans; texts stay in the database.
struct ChunkTable {
    var chunkIDs: [Int64] = []
    var videoIndex: [Int32] = []
    var sectionIDs: [Int64] = []
    var startMs: [Int32] = []
    var endMs: [Int32] = []
    var videos: [String] = []

    init(database: SQLiteDatabase) throws {
        var videoLookup: [String: Int32] = [:]
        let statement = try database.prepare("SELECT chunk_id, video_id, coalesce(section_id, -1), start_ms, end_ms FROM micro_chunk ORDER BY chunk_id")
        while try statement.step() {
            let video = statement.string(1) ?? ""
            let index: Int32
            if let known = videoLookup[video] { index = known } else {
                index = Int32(videos.count)
                videoLookup[video] = index
                videos.append(video)
            }
            chunkIDs.append(statement.int64(0))
            videoIndex.append(index)
            sectionIDs.append(statement.int64(2))
            startMs.append(Int32(clamping: statement.int(3)))
            endMs.append(Int32(clamping: statement.int(4)))
        }
    }

    var count: Int { chunkIDs.count }
    func video(_ row: Int) -> String { videos[Int(videoIndex[row])] }
}
