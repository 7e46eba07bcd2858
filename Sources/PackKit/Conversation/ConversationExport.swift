import Foundation

/// An answer or a whole conversation to take away: Markdown (the question, the answer with `[n]` markers, and
/// numbered sources with title, time range, a `youtu.be/ID?t=S` link and the quoted excerpt) or JSON.
public enum ConversationExport {
    /// The short link that starts playing at the source (`https://youtu.be/ID?t=S`).
    public static func link(_ source: Answer.Source) -> String {
        "https://youtu.be/\(source.citation.videoID)?t=\(max(0, source.citation.startMs) / 1000)"
    }

    /// The answer with each `[video @ mm:ss-mm:ss]` citation replaced by its source's number.
    public static func numbered(_ text: String, sources: [Answer.Source]) -> String {
        var out = ""
        var rest = text.startIndex
        for match in CitationParser.citations(in: text) {
            out += text[rest..<match.range.lowerBound]
            if let n = sources.firstIndex(where: { $0.citation.description == match.citation.description }) { out += "[\(n + 1)]" } else { out += text[match.range] }
            rest = match.range.upperBound
        }
        return out + text[rest...]
    }

    /// One turn in Markdown, under a `##` heading (`level` sets it).
    public static func markdown(_ turn: ConversationTurn, level: Int = 2) -> String {
        var lines = [String(repeating: "#", count: max(1, level)) + " " + turn.question, ""]
        if let searched = turn.searchedFor { lines += ["*Searched for: \(searched)*", ""] }
        if !turn.scope.isAll { lines += ["*Scope: \(turn.scope.summary)*", ""] }
        lines.append(numbered(turn.answer, sources: turn.sources))
        if !turn.sources.isEmpty {
            lines += ["", "Sources:", ""]
            for (i, source) in turn.sources.enumerated() {
                let span = "\(Citation.timestamp(source.citation.startMs))–\(Citation.timestamp(source.citation.endMs))"
                let title = source.title.isEmpty ? source.citation.videoID : source.title
                lines.append("\(i + 1). **\(title)** (\(span)) <\(link(source))>")
                let excerpt = source.excerpt.trimmingCharacters(in: .whitespacesAndNewlines)
                if !excerpt.isEmpty { lines.append("   > \(excerpt.replacingOccurrences(of: "\n", with: " "))") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A whole conversation in Markdown: a title line, when it was held, then each turn.
    /// With a `brief` that holds pins, they follow under a `## Brief` heading.
    public static func markdown(_ turns: [ConversationTurn], title: String, channel: String, brief: Brief = Brief()) -> String {
        var head = "# \(title)\n\n"
        if let first = turns.first {
            head += "*\(channel) · \(turns.count) question\(turns.count == 1 ? "" : "s") · \(timestamp(first.askedAt))*\n\n"
        }
        let pins = brief.pins.isEmpty ? "" : "\n" + brief.markdown(title: "Brief", level: 2)
        return head + turns.map { markdown($0) }.joined(separator: "\n") + pins
    }

    /// One turn as JSON: question, answer (citations as written), the `[n]` text, grounded, backend, time,
    /// scope and numbered sources.
    public static func json(_ turn: ConversationTurn) -> JSONValue {
        var object: [String: JSONValue] = [
            "question": .string(turn.question), "answer": .string(turn.answer),
            "answer_numbered": .string(numbered(turn.answer, sources: turn.sources)), "grounded": .bool(turn.grounded),
            "backend": .string(turn.backend), "asked_at": .string(timestamp(turn.askedAt)), "followed_on": .bool(turn.followedOn),
            "citations": .array(turn.sources.enumerated().map { i, s in
                .object(["n": .number(Double(i + 1)), "video_id": .string(s.citation.videoID), "title": .string(s.title),
                         "start_ms": .number(Double(s.citation.startMs)), "end_ms": .number(Double(s.citation.endMs)),
                         "citation": .string(s.citation.description), "url": .string(link(s)),
                         "segment_ids": .array(s.segmentIDs.map { .number(Double($0)) }), "excerpt": .string(s.excerpt)])
            }),
        ]
        if let searched = turn.searchedFor { object["searched_for"] = .string(searched) }
        if !turn.scope.isAll { object["scope"] = turn.scope.json }
        return .object(object)
    }

    /// A whole conversation as JSON, its brief's pins under "pins".
    public static func json(_ turns: [ConversationTurn], summary: ConversationStore.Summary?, brief: Brief = Brief()) -> JSONValue {
        var object: [String: JSONValue] = ["turns": .array(turns.map(json)), "pins": brief.json["pins"] ?? .array([])]
        if let summary {
            object["id"] = .number(Double(summary.id))
            object["name"] = summary.name.map { .string($0) } ?? .null
            object["pack"] = .string(summary.packPath)
            object["channel_id"] = .string(summary.channelID)
            object["channel_title"] = .string(summary.channelTitle)
            object["created_at"] = .string(timestamp(summary.createdAt))
            object["updated_at"] = .string(timestamp(summary.updatedAt))
        }
        return .object(object)
    }

    /// ISO 8601 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
