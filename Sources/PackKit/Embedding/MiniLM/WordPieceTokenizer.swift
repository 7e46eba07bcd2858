import Foundation

/// BERT's uncased WordPiece tokenizer (`vocab.txt`, one token a line, id = line number), as the Hugging Face
/// BertTokenizer does it: clean the text (drop NUL, U+FFFD and control characters, whitespace to spaces), put
/// spaces around CJK ideographs, split on whitespace, lower-case, strip accents (NFD, drop nonspacing marks),
/// split off every punctuation character, then greedy longest-match WordPiece with `##` continuations.
/// A word over 100 characters, or one WordPiece cannot cover, becomes `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    public static let defaultMaxLength = 256
    static let maxWordCharacters = 100

    private let ids: [String: Int32]
    public let tokens: [String]
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32

    /// Reads `vocab.txt`.
    public init(vocabularyFile url: URL) throws(MiniLMError) {
        let data: Data
        do { data = try InputFile.read(url.path, limit: 64 << 20) } catch {
            throw MiniLMError("\(url.path): cannot read the vocabulary (\(error.reason))")
        }
        guard String(validating: data, as: UTF8.self) != nil else { throw MiniLMError("\(url.path): the vocabulary is not UTF-8") }
        // Lines split as bytes: splitting the text by Characters took a fifth of a whole `pack ask` on a MiniLM pack.
        var lines: [String] = []
        lines.reserveCapacity(32_000)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            func line(_ end: Int) {
                var end = end
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            }
            for i in 0..<bytes.count where bytes[i] == 0x0A {
                line(i)
                start = i + 1
            }
            if start < bytes.count { line(bytes.count) }
        }
        try self.init(vocabulary: lines, source: url.path)
    }

    public init(vocabulary: [String], source: String = "vocabulary") throws(MiniLMError) {
        // A repeated token keeps its first id; one hash per token.
        let ids = Dictionary(vocabulary.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        func special(_ name: String) throws(MiniLMError) -> Int32 {
            guard let id = ids[name] else { throw MiniLMError("\(source): the vocabulary has no \(name) token") }
            return id
        }
        self.ids = ids
        self.tokens = vocabulary
        unknownID = try special("[UNK]")
        classID = try special("[CLS]")
        separatorID = try special("[SEP]")
    }

    public var vocabularySize: Int { tokens.count }

    /// `[CLS] pieces… [SEP]`, truncated so the whole sequence has at most `maxLength` ids.
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) -> [Int32] {
        var out: [Int32] = [classID]
        let limit = max(2, maxLength) - 1
        for word in basicWords(text) {
            if out.count >= limit { break }
            appendPieces(of: word, to: &out, limit: limit)
        }
        out.append(separatorID)
        return out
    }

    /// The token strings of `encode` (for tests and debugging).
    public func tokenStrings(_ text: String, maxLength: Int = defaultMaxLength) -> [String] {
        encode(text, maxLength: maxLength).map { tokens[Int($0)] }
    }

    // MARK: - Basic tokenization

    /// Words after cleaning, CJK spacing, whitespace splitting, lower-casing, accent stripping and punctuation splitting.
    func basicWords(_ text: String) -> [String] {
        var raw: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { raw.append(String(current)); current = String.UnicodeScalarView() }
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0 || v == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) { flush(); continue }
            if Self.isCJK(v) {
                flush()
                raw.append(String(scalar))
                continue
            }
            current.append(scalar)
        }
        flush()
        var words: [String] = []
        words.reserveCapacity(raw.count)
        for word in raw {
            let normalized = Self.stripAccents(word.lowercased())
            var piece = String.UnicodeScalarView()
            for scalar in normalized.unicodeScalars {
                if Self.isPunctuation(scalar) {
                    if !piece.isEmpty { words.append(String(piece)); piece = String.UnicodeScalarView() }
                    words.append(String(scalar))
                } else if !Self.isWhitespace(scalar) {
                    piece.append(scalar)
                } else if !piece.isEmpty {
                    words.append(String(piece)); piece = String.UnicodeScalarView()
                }
            }
            if !piece.isEmpty { words.append(String(piece)) }
        }
        return words
    }

    static func stripAccents(_ word: String) -> String {
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return word }
        var out = String.UnicodeScalarView()
        for scalar in word.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            out.append(scalar)
        }
        return String(out)
    }

    /// Space, tab, newline, carriage return and the Unicode separators: Hugging Face's fast tokenizer (what
    /// sentence-transformers loads) uses Rust's `char::is_whitespace`, which also counts the line and paragraph
    /// separators U+2028/U+2029 (Python's slow BertTokenizer does not; the fast one made the reference vectors).
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default:
            switch s.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// Python's `category(c).startswith("C")`, except tab, newline and carriage return (whitespace).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        default:
            switch s.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// All non-alphanumeric ASCII counts as punctuation (BERT's rule, so `$`, `^`, `` ` `` split), plus Unicode P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        if v < 0x80 { return false }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT spaces out (not kana or hangul, which are written with spaces).
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    // MARK: - WordPiece

    /// Greedy longest match from the left; `[UNK]` for the whole word when some part matches nothing.
    private func appendPieces(of word: String, to out: inout [Int32], limit: Int) {
        if let whole = ids[word] {
            out.append(whole)
            return
        }
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= Self.maxWordCharacters else {
            out.append(unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: scalars[start..<end])
                if let id = ids[candidate] { found = id; break }
                end -= 1
            }
            guard let id = found else {
                out.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        for piece in pieces {
            if out.count >= limit { return }
            out.append(piece)
        }
    }
}
