public struct TranscriptSegment: Sendable, Hashable {
    public var startMs: Int
    public var endMs: Int
    public var text: String
    public var speaker: String?
    public init(startMs: Int, endMs: Int, text: String, speaker: String? = nil) {
        self.startMs = startMs; self.endMs = endMs; self.text = text; self.speaker = speaker
    }
}
import Foundation
public enum TranscriptFormat: String, Sendable, CaseIterable { case srt, vtt, sbv, json }
public struct TranscriptProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String; public let line: Int?; public let message: String
    public var description: String { "\(file): \(message)" }
}
public struct ParsedTranscript: Sendable { public var format: TranscriptFormat; public var segments: [TranscriptSegment] }
public enum TranscriptReader {
    public static let fileExtensions = ["srt", "vtt", "sbv", "json"]
    public static func read(contentsOf url: URL) throws(TranscriptProblem) -> ParsedTranscript {
        guard let s = try? String(contentsOf: url, encoding: .utf8) else { throw TranscriptProblem(file: url.path, line: nil, message: "unreadable") }
        var segs: [TranscriptSegment] = []
        let blocks = s.replacingOccurrences(of: "\r", with: "").components(separatedBy: "\n\n")
        func ms(_ t: Substring) -> Int { let p = t.split(whereSeparator: { $0 == ":" || $0 == "," || $0 == "." }).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }; return p.count == 4 ? ((p[0]*60+p[1])*60+p[2])*1000+p[3] : 0 }
        for b in blocks {
            let lines = b.split(separator: "\n")
            guard let i = lines.firstIndex(where: { $0.contains("-->") }) else { continue }
            let parts = lines[i].components(separatedBy: "-->")
            let text = lines[(i+1)...].joined(separator: " ")
            if !text.isEmpty { segs.append(TranscriptSegment(startMs: ms(parts[0][...]), endMs: ms(parts[1][...]), text: text)) }
        }
        return ParsedTranscript(format: .srt, segments: segs)
    }
}
