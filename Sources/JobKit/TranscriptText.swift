import Foundation
import PackKit

/// A transcript as the plain text a summarising model reads, and the name its summary is saved under.
public struct TranscriptText: Sendable, Equatable {
    /// `<name>_summary.txt` (the original Lambda's naming: the basename with `.txt` replaced).
    public var name: String
    public var text: String

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Text from `data`: `.txt` as it is (UTF-8, BOM dropped), captions (SRT, VTT, SBV, JSON) as their spoken
    /// text, one cue per line, prefixed with `[mm:ss]` when `timestamps` is set.
    public static func from(_ data: Data, fileName: String, timestamps: Bool) throws(Problem) -> TranscriptText {
        let base = (fileName as NSString).lastPathComponent
        let ext = (base as NSString).pathExtension.lowercased()
        let name = ext.isEmpty ? base : String(base.dropLast(ext.count + 1))
        if ext == "txt" || ext.isEmpty {
            guard var text = String(data: data, encoding: .utf8) else { throw Problem(description: "\(fileName): not UTF-8 text") }
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw Problem(description: "\(fileName): the file is empty") }
            return TranscriptText(name: name, text: text)
        }
        let parsed: ParsedTranscript
        do { parsed = try TranscriptReader.parse(data, fileName: fileName) } catch { throw Problem(description: error.description) }
        guard !parsed.segments.isEmpty else { throw Problem(description: "\(fileName): the transcript has no cues") }
        return TranscriptText(name: name, text: lines(parsed.segments.map { ($0.startMs, $0.text) }, timestamps: timestamps))
    }

    public static func file(_ path: String, timestamps: Bool) throws(Problem) -> TranscriptText {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(description: "\(path): cannot read the file") }
        return try from(data, fileName: path, timestamps: timestamps)
    }

    /// The transcript of one video of an opened pack; the name is the video id.
    public static func packVideo(_ pack: ChannelPack, videoID: String, timestamps: Bool) throws(Problem) -> TranscriptText {
        do {
            let statement = try pack.database.prepare("SELECT start_ms, text FROM transcript_segment WHERE video_id = ?1 ORDER BY start_ms, segment_id")
            statement.bind(1, videoID)
            var cues: [(Int, String)] = []
            while try statement.step() { cues.append((statement.int(0), statement.string(1) ?? "")) }
            guard !cues.isEmpty else {
                let known = try pack.database.prepare("SELECT 1 FROM video WHERE video_id = ?1")
                known.bind(1, videoID)
                throw Problem(description: "\(pack.source): " + (try known.step() ? "video '\(videoID)' has no transcript" : "no video '\(videoID)' in this pack"))
            }
            return TranscriptText(name: videoID, text: lines(cues, timestamps: timestamps))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "\(pack.source): \(error)")
        }
    }

    static func lines(_ cues: [(Int, String)], timestamps: Bool) -> String {
        cues.map { timestamps ? "[\(Citation.timestamp($0.0))] \($0.1)" : $0.1 }.joined(separator: "\n")
    }

    /// Token estimate: one per 4 bytes of UTF-8 (the LLM answerer's rule).
    public var estimatedTokens: Int { (text.utf8.count + 3) / 4 }

    /// Consecutive parts of at most `maxTokens` each, cut at line ends (a line longer than that is cut at a space).
    public func parts(maxTokens: Int) -> [String] {
        let limit = max(1, maxTokens) * 4
        guard text.utf8.count > limit else { return [text] }
        var parts: [String] = []
        var current = ""
        func flush() { if !current.isEmpty { parts.append(current); current = "" } }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var rest = Substring(line)
            while rest.utf8.count > limit {
                flush()
                var cut = rest.utf8.index(rest.startIndex, offsetBy: limit)
                while cut > rest.startIndex && !rest[rest.index(before: cut)].isWhitespace { cut = rest.index(before: cut) }
                if cut == rest.startIndex { cut = rest.utf8.index(rest.startIndex, offsetBy: limit) }
                parts.append(String(rest[..<cut]))
                rest = rest[cut...]
            }
            if current.utf8.count + rest.utf8.count + 1 > limit { flush() }
            current += current.isEmpty ? String(rest) : "\n" + rest
        }
        flush()
        return parts
    }
}
