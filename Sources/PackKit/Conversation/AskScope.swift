import Foundation

/// What a question is limited to: some videos (by id, or by words of their titles), an upload-date range (from
/// the videos' `published_at`), or nothing (the whole channel). Parts combine: a video must pass each one given.
public struct AskScope: Sendable, Equatable {
    public var videoIDs: [String] = []
    /// Each entry is a set of words that must all appear in a video's title (case-insensitive); a video matching
    /// any entry is in.
    public var titleWords: [String] = []
    /// Inclusive `YYYY-MM-DD` bounds on the upload date.
    public var since: String?
    public var until: String?

    public init(videoIDs: [String] = [], titleWords: [String] = [], since: String? = nil, until: String? = nil) {
        self.videoIDs = videoIDs
        self.titleWords = titleWords
        self.since = since
        self.until = until
    }

    public static let all = AskScope()
    public var isAll: Bool { self == .all }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Checks a date bound as the user typed it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    public static func date(_ text: String, option: String) throws(Problem) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let widths = [4, 2, 2]
        guard (1...3).contains(parts.count),
              zip(parts, widths).allSatisfy({ $0.count == $1 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw Problem(description: "\(option) '\(text)': expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
        }
        // A month or day that no calendar has ("2025-13") matched nothing and read as an empty channel.
        let numbers = parts.compactMap { Int($0) }
        if numbers.count > 1, !(1...12).contains(numbers[1]) {
            throw Problem(description: "\(option) '\(text)': there is no month \(parts[1])")
        }
        if numbers.count > 2, !CalendarDate.isValid(year: numbers[0], month: numbers[1], day: numbers[2]) {
            throw Problem(description: "\(option) '\(text)': there is no day \(parts[2]) in that month")
        }
        return text
    }

    /// How the scope reads in a status bar or a saved conversation: "videos abc, def · titles "dict" · since 2020".
    public var summary: String {
        var parts: [String] = []
        if !videoIDs.isEmpty { parts.append((videoIDs.count == 1 ? "video " : "videos ") + videoIDs.joined(separator: ", ")) }
        if !titleWords.isEmpty { parts.append("titles " + titleWords.map { "\"\($0)\"" }.joined(separator: " or ")) }
        if let since { parts.append("since \(since)") }
        if let until { parts.append("until \(until)") }
        return parts.isEmpty ? "whole channel" : parts.joined(separator: " · ")
    }

    /// The ids of the pack's videos in scope (nil for the whole channel); throws when nothing is in it, naming
    /// what matched nothing.
    public func videos(in listing: [VideoListing]) throws(Problem) -> Set<String>? {
        guard !isAll else { return nil }
        var chosen = listing
        if !videoIDs.isEmpty {
            let known = Set(listing.map(\.videoID))
            if let unknown = videoIDs.first(where: { !known.contains($0) }) {
                throw Problem(description: "scope: the pack has no video '\(unknown)'")
            }
            chosen = chosen.filter { videoIDs.contains($0.videoID) }
        }
        if !titleWords.isEmpty {
            let wanted = titleWords.map { $0.lowercased().split(whereSeparator: \.isWhitespace).map(String.init) }
            chosen = chosen.filter { video in
                let title = video.title.lowercased()
                return wanted.contains { words in words.allSatisfy { title.contains($0) } }
            }
        }
        if since != nil || until != nil {
            // "2020" ≤ "2020-03-01…" and "2020-03-01…" ≤ "2020-03-01\u{10FFFF}": prefixes bound a whole year or month.
            chosen = chosen.filter { video in
                guard !video.publishedAt.isEmpty else { return false }
                if let since, video.publishedAt < since { return false }
                if let until, video.publishedAt > until + "\u{10FFFF}" { return false }
                return true
            }
        }
        guard !chosen.isEmpty else { throw Problem(description: "scope: no video of the pack is in \(summary)") }
        return Set(chosen.map(\.videoID))
    }
}
