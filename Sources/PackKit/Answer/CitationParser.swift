/// Finds citations in free text, such as a model's answer. Accepts what models actually write: one or several
/// `id @ start-end` groups per bracket separated by `;` or `,`, optional spaces, `-`, `–` or `—` between the
/// times, and one- or two-digit leading fields (`1:02:03`, `4:05`). Anything else in brackets is left alone.
public enum CitationParser {
    public struct Match: Sendable, Equatable {
        public var citation: Citation
        /// Where the whole bracket stands in the text.
        public var range: Range<String.Index>
    }

    public static func citations(in text: String) -> [Match] {
        var matches: [Match] = []
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "[") {
            // Brackets do not nest in citations: the next `[` or a line end closes the search.
            guard let close = text[text.index(after: open)...].firstIndex(where: { $0 == "]" || $0 == "[" || $0 == "\n" }),
                  text[close] == "]" else {
                index = text.index(after: open)
                continue
            }
            let body = text[text.index(after: open)..<close]
            let groups = body.split(whereSeparator: { $0 == ";" || $0 == "," })
            let parsed = groups.map { parseGroup($0) }
            if !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) {
                for case let citation? in parsed {
                    matches.append(Match(citation: citation, range: open..<text.index(after: close)))
                }
            }
            index = text.index(after: close)
        }
        return matches
    }

    /// `id @ start-end`, or nil when it is not exactly that.
    static func parseGroup(_ group: Substring) -> Citation? {
        guard let at = group.firstIndex(of: "@") else { return nil }
        let id = group[..<at].trimmingWhitespace()
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        let span = group[group.index(after: at)...].trimmingWhitespace()
        // The separator is the dash that follows the first time, so ids and times may both hold dashes elsewhere.
        guard let dash = span.firstIndex(where: { $0 == "-" || $0 == "–" || $0 == "—" }),
              let start = parseTime(span[..<dash].trimmingWhitespace()),
              let end = parseTime(span[span.index(after: dash)...].trimmingWhitespace()),
              end >= start else {
            return nil
        }
        return Citation(videoID: String(id), startMs: start, endMs: end)
    }

    /// `m:ss`, `mm:ss`, `h:mm:ss` or `hh:mm:ss` in milliseconds.
    static func parseTime(_ s: Substring) -> Int? {
        let fields = s.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3,
              fields.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              fields.dropFirst().allSatisfy({ $0.count == 2 }) else { return nil }
        let values = fields.compactMap { Int($0) }
        let seconds = values[values.count - 1], minutes = values[values.count - 2]
        guard seconds < 60, fields.count == 2 || minutes < 60 else { return nil }
        let hours = fields.count == 3 ? values[0] : 0
        return ((hours * 60 + minutes) * 60 + seconds) * 1000
    }
}
