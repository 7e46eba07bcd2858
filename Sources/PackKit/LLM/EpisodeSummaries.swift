/// Episode summaries (rows of `summary`) for the prompt of a broad question: "what is this video about",
/// "summarise …", "main points of …". Specific questions get evidence lines only, as the reference does.
public enum EpisodeSummaries {
    static let broadWords: Set<String> = ["summary", "summarize", "summarise", "summaries", "overview", "gist", "outline",
                                          "recap", "takeaway", "takeaways", "tldr", "themes", "topics"]
    static let broadPairs: [(String, String)] = [("main", "points"), ("main", "ideas"), ("key", "points"), ("key", "ideas"),
                                                  ("what", "about"), ("big", "picture")]

    /// Whether the question asks about videos as a whole rather than one moment.
    public static func isBroad(_ question: String) -> Bool {
        let words = question.lowercased().split { !$0.isLetter }.map(String.init)
        if words.contains(where: broadWords.contains) { return true }
        let set = Set(words)
        return broadPairs.contains { set.contains($0.0) && set.contains($0.1) }
    }

    /// "title: summary" for up to `limit` of the videos in `hits` (ranking order), the short kind preferred,
    /// each cut to `maxCharacters`.
    public static func lines(for hits: [SearchHit], database: SQLiteDatabase, limit: Int = 3, maxCharacters: Int = 1200) throws -> [String] {
        var seen = Set<String>()
        var lines: [String] = []
        let statement = try database.prepare("""
            SELECT text FROM summary WHERE video_id = ? AND kind IN ('episode_short', 'episode_long') AND length(text) > 0
            ORDER BY kind = 'episode_short' DESC, summary_id DESC LIMIT 1
            """)
        for hit in hits where seen.insert(hit.videoID).inserted {
            statement.reset()
            statement.bind(1, hit.videoID)
            guard try statement.step(), let text = statement.string(0) else { continue }
            let cut = text.count > maxCharacters ? String(text.prefix(maxCharacters)) + "…" : text
            lines.append("\(hit.title.isEmpty ? hit.videoID : hit.title) [\(hit.videoID)]: \(cut)")
            if lines.count == limit { break }
        }
        return lines
    }
}
