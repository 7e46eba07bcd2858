/// The argument of the explorer's and the REPL's `:scope`: `video ID…`, `title WORDS`, `since DATE`, `until DATE` (combined as
/// `title dictionaries since 2019`), or `all` to ask the whole channel again.
public enum AskScopeCommand {
    static let keywords: Set<String> = ["video", "videos", "title", "since", "until", "all"]

    public static func parse(_ argument: String) throws(AskScope.Problem) -> AskScope {
        let words = argument.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else {
            throw AskScope.Problem(description: "scope: video ID…, title WORDS, since DATE, until DATE, or all")
        }
        var scope = AskScope.all
        var i = 0
        while i < words.count {
            let keyword = words[i].lowercased()
            guard keywords.contains(keyword) else {
                throw AskScope.Problem(description: "scope: '\(words[i])' is not one of video, title, since, until, all")
            }
            var values: [String] = []
            i += 1
            while i < words.count, !keywords.contains(words[i].lowercased()) { values.append(words[i]); i += 1 }
            switch keyword {
            case "all":
                guard values.isEmpty, words.count == 1 else { throw AskScope.Problem(description: "scope: 'all' stands alone") }
                return .all
            case "video", "videos":
                guard !values.isEmpty else { throw AskScope.Problem(description: "scope: video needs at least one id") }
                scope.videoIDs += values
            case "title":
                guard !values.isEmpty else { throw AskScope.Problem(description: "scope: title needs words") }
                scope.titleWords.append(values.joined(separator: " "))
            case "since", "until":
                guard values.count == 1 else { throw AskScope.Problem(description: "scope: \(keyword) needs one date (YYYY, YYYY-MM or YYYY-MM-DD)") }
                let date = try AskScope.date(values[0], option: keyword)
                if keyword == "since" { scope.since = date } else { scope.until = date }
            default:
                break
            }
        }
        return scope
    }
}
