import Foundation

public struct Channel: Sendable, Equatable {
    public var channelID: String
    public var title: String
    public var description: String
    public var source: String
}

public struct Video: Sendable, Equatable {
    public var videoID: String
    public var channelID: String
    public var title: String
    public var description: String
    public var publishedAt: String
    public var durationSec: Int
    public var url: String
}

/// A problem in an input folder's `channel.json` / `videos.json`, naming the file and field.
public struct InputProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// `channel.json` + `videos.json` of an input folder, read the way the reference reads them
/// (same defaults) but checked: a wrong type or a duplicate id is an error that names it.
public struct ChannelInput: Sendable {
    public var channel: Channel
    public var videos: [Video]

    public static func load(from directory: URL) throws(InputProblem) -> ChannelInput {
        let channelFile = directory.appendingPathComponent("channel.json")
        let videosFile = directory.appendingPathComponent("videos.json")
        let channelValue = try readJSON(channelFile)
        guard case .object(let c) = channelValue else {
            throw InputProblem(file: channelFile.path, message: "must be a JSON object, found \(channelValue.typeName)")
        }
        func string(_ object: [String: JSONValue], _ key: String, file: String, context: String,
                    default fallback: String?) throws(InputProblem) -> String {
            switch object[key] {
            case .string(let s)?: return s
            case nil, .null?:
                if let fallback { return fallback }
                throw InputProblem(file: file, message: "\(context)missing field '\(key)'")
            case let other?:
                throw InputProblem(file: file, message: "\(context)field '\(key)' must be a string, found \(other.shortDescription)")
            }
        }
        let channelID = try string(c, "channel_id", file: channelFile.path, context: "", default: nil)
        guard !channelID.isEmpty else { throw InputProblem(file: channelFile.path, message: "field 'channel_id' is empty") }
        let channel = Channel(
            channelID: channelID,
            title: try string(c, "title", file: channelFile.path, context: "", default: ""),
            description: try string(c, "description", file: channelFile.path, context: "", default: ""),
            source: try string(c, "source", file: channelFile.path, context: "", default: "local_manifest")
        )

        let videosValue = try readJSON(videosFile)
        guard case .array(let items) = videosValue else {
            throw InputProblem(file: videosFile.path, message: "must be a JSON array of videos, found \(videosValue.typeName)")
        }
        var videos: [Video] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let context = "video \(i): "
            guard case .object(let v) = item else {
                throw InputProblem(file: videosFile.path, message: "\(context)must be an object, found \(item.typeName)")
            }
            let id = try string(v, "video_id", file: videosFile.path, context: context, default: nil)
            try validateVideoID(id, file: videosFile.path, context: context)
            if let first = seen[id] {
                throw InputProblem(file: videosFile.path, message: "\(context)video_id '\(id)' repeats video \(first)")
            }
            seen[id] = i
            let duration: Int
            switch v["duration_sec"] {
            case nil, .null?: duration = 0
            case .number(let d)? where d >= 0 && d < 1e9: duration = Int(d)
            case .string(let s)? where Int(s).map({ $0 >= 0 }) == true: duration = Int(s) ?? 0
            case let other?:
                throw InputProblem(file: videosFile.path, message: "\(context)field 'duration_sec' must be a non-negative number, found \(other.shortDescription)")
            }
            videos.append(Video(
                videoID: id,
                channelID: channel.channelID,
                title: try string(v, "title", file: videosFile.path, context: context, default: ""),
                description: try string(v, "description", file: videosFile.path, context: context, default: ""),
                publishedAt: try uploadDate(try string(v, "published_at", file: videosFile.path, context: context, default: ""),
                                            file: videosFile.path, context: context),
                durationSec: duration,
                url: try string(v, "url", file: videosFile.path, context: context, default: "")
            ))
        }
        return ChannelInput(channel: channel, videos: videos)
    }

    /// An upload date as packs keep it: empty (unknown), or ISO 8601 from a real date on ("2025-01-18",
    /// "2025-01-18T15:00:00Z", what YouTube's API gives; a month alone, "2025-01"); yt-dlp's "20250118" is written
    /// "2025-01-18". Anything else is an error: the reference sorts videos by this text, and the timeline and `--since` read its year and month
    /// ("2025-13-45" was kept and the video silently left out of every chart).
    static func uploadDate(_ text: String, file: String, context: String) throws(InputProblem) -> String {
        guard !text.isEmpty else { return text }
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, range.allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
        }
        func valid(_ year: Int?, _ month: Int?, _ day: Int?) -> Bool {
            guard let year, let month, let day, year >= 1900 else { return false }
            return CalendarDate.isValid(year: year, month: month, day: day)
        }
        if bytes.count == 8, valid(number(0..<4), number(4..<6), number(6..<8)) {
            return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
        }
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), valid(number(0..<4), number(5..<7), 1) { return text }  // a month
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
           valid(number(0..<4), number(5..<7), number(8..<10)),
           bytes.count == 10 || bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") {
            return text
        }
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        throw InputProblem(file: file, message: "\(context)field 'published_at' must be a date (YYYY-MM-DD, optionally with a time; YYYY-MM; or YYYYMMDD), found '\(shown)'")
    }

    /// Ids name transcript files, so they must be safe as a file name. A leading '-' is fine (YouTube has many).
    static func validateVideoID(_ id: String, file: String, context: String) throws(InputProblem) {
        guard !id.isEmpty else { throw InputProblem(file: file, message: "\(context)video_id is empty") }
        guard id != ".", id != "..", !id.contains("/"), !id.contains("\\"), !id.contains("\0"),
              !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputProblem(file: file, message: "\(context)video_id '\(id)' cannot name a file (no '/', '\\', control characters, '.' or '..')")
        }
    }

    /// The largest `channel.json` or `videos.json` ytce reads: a channel of 100,000 videos with long
    /// descriptions takes about 500 MB.
    static let maxFileBytes = 1 << 30

    private static func readJSON(_ url: URL) throws(InputProblem) -> JSONValue {
        let data: Data
        do {
            data = try InputFile.read(url.path, limit: maxFileBytes)
        } catch {
            throw InputProblem(file: url.path, message: error.isMissing ? "missing" : "cannot read: \(error.reason)")
        }
        do {
            return try JSONValue.parse(data.dropUTF8BOM())
        } catch {
            throw InputProblem(file: url.path, message: "invalid JSON: \(error.reason)")
        }
    }
}

extension Data {
    func dropUTF8BOM() -> Data {
        starts(with: [0xEF, 0xBB, 0xBF]) ? dropFirst(3) : self
    }
}
