import ArgumentParser
import PackKit

/// What `pack ask` and `pack search` look at: some videos, titles, an upload-date range.
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("video"), parsing: .unconditionalSingleValue, help: "Only this video (id); repeat for several.")
    var videos: [String] = []

    @Option(name: .customLong("title"), help: "Only videos whose title holds all these words; repeat for alternatives.")
    var titles: [String] = []

    @Option(help: "Only videos uploaded on or after this date (YYYY, YYYY-MM or YYYY-MM-DD; from videos.json published_at).")
    var since: String?

    @Option(help: "Only videos uploaded on or before this date (YYYY, YYYY-MM or YYYY-MM-DD).")
    var until: String?

    /// The scope, or exit with the bad date's one-line error.
    func scope() throws -> AskScope {
        do {
            return AskScope(videoIDs: videos, titleWords: titles, since: try since.map { try AskScope.date($0, option: "--since") },
                            until: try until.map { try AskScope.date($0, option: "--until") })
        } catch let problem as AskScope.Problem { throw fail(problem.description) }
    }
}
