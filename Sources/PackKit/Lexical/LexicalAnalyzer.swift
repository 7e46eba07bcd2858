/// Turns text into index terms: lower-cased words (letters and digits; everything else separates), English
/// stop words dropped, ASCII words Porter-stemmed ("loops", "looping" → "loop"). Queries and documents go
/// through the same analyzer, so they meet on the same terms.
public struct LexicalAnalyzer: Sendable {
    public var stopWords: Set<String>

    public init(stopWords: Set<String> = StopWords.english) {
        self.stopWords = stopWords
    }

    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        forEachTerm(in: text) { out.append($0) }
        return out
    }

    /// Calls `body` with each term of `text` in order.
    public func forEachTerm(in text: String, _ body: (String) -> Void) {
        var word: [UInt8] = []
        var ascii = true
        var scalars = String.UnicodeScalarView()
        func flush() {
            guard !word.isEmpty || !scalars.isEmpty else { return }
            let term: String
            if ascii {
                let lowered = String(decoding: word, as: UTF8.self)
                if stopWords.contains(lowered) { term = "" } else {
                    term = String(decoding: PorterStemmer.stem(word), as: UTF8.self)
                }
            } else {
                let lowered = String(scalars).lowercased()
                term = stopWords.contains(lowered) ? "" : lowered
            }
            if !term.isEmpty { body(term) }
            word.removeAll(keepingCapacity: true)
            scalars = String.UnicodeScalarView()
            ascii = true
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let b = UInt8(v)
                if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    word.append(b); scalars.append(scalar)
                } else if b >= 0x41 && b <= 0x5A {
                    word.append(b | 0x20); scalars.append(scalar)
                } else {
                    flush()
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                        || scalar.properties.generalCategory == .nonspacingMark {
                ascii = false
                scalars.append(scalar)
            } else {
                flush()
            }
        }
        flush()
    }
}
