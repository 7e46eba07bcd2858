extension Answer.Source {
    /// The numbered citation list printed under an answer (`pack ask`, the REPL): title, span and deep link.
    public static func listing(_ sources: [Answer.Source]) -> String {
        (["Citations:"] + sources.enumerated().map { i, s in
            let span = "\(Citation.timestamp(s.citation.startMs))-\(Citation.timestamp(s.citation.endMs))"
            return "[\(i + 1)] \(s.title.isEmpty ? s.citation.videoID : s.title) (\(span))  \(s.citation.deepLink(videoURL: s.url))"
        }).joined(separator: "\n")
    }
}
