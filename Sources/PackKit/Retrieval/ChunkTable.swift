/// The chunks of a pack in matrix-row order (row i = i-th chunk by id), held in memory for ranking:
/// ids, videos, sections and spans; texts stay in the database.
struct ChunkTable {
    var chunkIDs: [Int64] = []
    var videoIndex: [Int32] = []
    var sectionIDs: [Int64] = []
    /// Checked when read (`PackTime`): any arithmetic on them is safe.
    var startMs: [Int] = []
    var endMs: [Int] = []
    var videos: [String] = []

    init(database: SQLiteDatabase, pack: String) throws {
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
            let id = statement.int64(0)
            chunkIDs.append(id)
            videoIndex.append(index)
            sectionIDs.append(statement.int64(2))
            startMs.append(try PackTime.read(statement, 3, name: "start_ms", table: "micro_chunk", rowID: id, pack: pack))
            endMs.append(try PackTime.read(statement, 4, name: "end_ms", table: "micro_chunk", rowID: id, pack: pack))
        }
    }

    var count: Int { chunkIDs.count }
    func video(_ row: Int) -> String { videos[Int(videoIndex[row])] }
}
