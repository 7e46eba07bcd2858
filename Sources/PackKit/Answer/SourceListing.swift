extension Answer.Source {
    /// The numbered citation list printed under an answer (`pack ask`, the REPL): title, span and deep link.
    public static func listing(_ sources: [Answer.Source]) -> String {
        (["Citations:"] + sources.enumerated().map { i, s in "[\(i + 1)] \(s.line)" }).joined(separator: "\n")
    }

    /// The source on one line: title, time range and the link that plays it.
    public var line: String {
        let span = "\(Citation.timestamp(citation.startMs))-\(Citation.timestamp(citation.endMs))"
        return "\(title.isEmpty ? citation.videoID : title) (\(span))  \(citation.deepLink(videoURL: url))"
    }
}
