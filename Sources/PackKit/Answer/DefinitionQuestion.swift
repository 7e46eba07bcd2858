/// A question that asks what something is ("What is a tuple?", "What does immutable mean?", "What is meant by a
/// fast tokenizer?"), and what it asks about: its subject as index terms. A sentence that says what the subject
/// is ("A tuple is…", "Immutable means…") answers it better than one that only uses the word, however often.
public struct DefinitionQuestion: Sendable, Equatable {
    /// The subject's terms (analyzed as the index analyzes them), in the question's order.
    public var subject: [String]
    /// The subject's last word as asked, singular ("tokenizer" for "tokenizers"): a definition names it so, which the
    /// stem alone does not tell ("tokens are…" stems as "tokenizers are…"); empty when not known.
    public var noun = ""
    /// The words of the question's frame that the index keeps ("mean" of "What does immutable mean?"): they say how
    /// it asks, not what about, and a passage need not hold them (`retrievalText`).
    public var frameWords: Set<String> = []

    /// A subject of more terms than this is a question about something else ("what is the best way to…").
    static let longestSubject = 3

    /// How a definition question opens, and whether its subject comes before a closing "mean".
    static let openings: [(words: [String], closing: String?)] = [
        (["what", "is", "meant", "by"], nil), (["what", "do", "you", "mean", "by"], nil), (["what", "does", "he", "mean", "by"], nil),
        (["what", "does", "she", "mean", "by"], nil), (["what", "is", "the", "meaning", "of"], nil),
        (["what", "is", "the", "definition", "of"], nil), (["define"], nil),
        (["what", "does"], "mean"), (["what", "do"], "mean"),
        (["what", "is"], nil), (["what", "are"], nil), (["what's"], nil), (["whats"], nil),
    ]
    /// Words that open a sentence before the question itself ("So what is…").
    static let openers: Set<String> = ["so", "and", "but", "now", "okay", "ok", "then", "well"]
    static let articles: Set<String> = ["a", "an", "the"]
    /// A subject that ends with one of these asks what the thing is for or like, not what it is.
    static let notDefinitions: Set<String> = ["for", "like", "used", "doing", "happening", "wrong", "different"]
    /// Verbs that, following the subject, make a sentence say what it is.
    static let definingVerbs: Set<String> = ["is", "are", "means", "mean", "refers", "refer", "stands"]

    public init(subject: [String]) {
        self.subject = subject
    }

    /// Nil when `question` does not ask what something is. The subject runs from the opening to the first
    /// punctuation (or "according to…", "in…", or the closing "mean").
    public init?(_ question: String, analyzer: LexicalAnalyzer) {
        let clause = question.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
            .split(whereSeparator: { ",?.;:!()".contains($0) }).first.map(String.init) ?? ""
        var words = Self.words(clause)
        while let first = words.first, Self.openers.contains(first) { words.removeFirst() }
        guard let opening = Self.openings.first(where: { words.starts(with: $0.words) }) else { return nil }
        var rest = Array(words.dropFirst(opening.words.count))
        // "…according to the video", "…in Python": where it is said, not what it is.
        if let according = rest.firstIndex(of: "according") { rest = Array(rest[..<according]) }
        if let place = rest.firstIndex(of: "in"), place > 0 { rest = Array(rest[..<place]) }
        if let closing = opening.closing {
            guard rest.last == closing else { return nil }
            rest.removeLast()
        }
        while let first = rest.first, Self.articles.contains(first) { rest.removeFirst() }
        guard let last = rest.last, !Self.notDefinitions.contains(last) else { return nil }
        let subject = analyzer.terms(rest.joined(separator: " "))
        guard !subject.isEmpty, subject.count <= Self.longestSubject else { return nil }
        self.subject = subject
        noun = rest.last.map(Self.singular) ?? ""
        frameWords = Set(opening.words + [opening.closing].compactMap { $0 }).intersection(Self.framing)
    }

    /// Words of a frame that the index would keep as terms.
    static let framing: Set<String> = ["mean", "meant", "meaning", "definition", "define"]

    /// `question` without its frame's words, for retrieval: "What does immutable mean?" is searched as "What does
    /// immutable?", so a passage about immutability need not also say "mean" to count as answering.
    public func retrievalText(_ question: String) -> String {
        guard !frameWords.isEmpty else { return question }
        var out = ""
        var word = ""
        func flush() {
            if !frameWords.contains(word.lowercased()) { out += word }
            word = ""
        }
        for character in question {
            if character.isLetter { word.append(character) } else { flush(); out.append(character) }
        }
        flush()
        return out
    }

    /// The singular of an English plural, roughly: "dictionaries" → "dictionary", "classes" → "class", "tuples" →
    /// "tuple"; a word that is not one ("class", "analysis") stays.
    static func singular(_ word: String) -> String {
        if word.hasSuffix("ies"), word.count > 4 { return String(word.dropLast(3)) + "y" }
        if ["sses", "xes", "ches", "shes"].contains(where: word.hasSuffix) { return String(word.dropLast(2)) }
        if word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("is"), !word.hasSuffix("us"), word.count > 3 { return String(word.dropLast()) }
        return word
    }

    /// Whether `sentence` says what the subject is: in one of its clauses, a defining verb ("is", "means"…)
    /// follows a few words that hold every term of the subject, and something follows the verb ("…what a variable
    /// is." says nothing of it). A sentence that asks is not a definition.
    public func isDefined(by sentence: String, analyzer: LexicalAnalyzer = LexicalAnalyzer()) -> Bool {
        guard !sentence.hasSuffix("?") else { return false }
        let wanted = Set(subject)
        for words in Self.clauses(sentence) {
            for (i, word) in words.enumerated() where i > 0 && i + 1 < words.count && Self.definingVerbs.contains(word) {
                let before = words[max(0, i - subject.count - 2)..<i]
                if wanted.isSubset(of: analyzer.terms(before.joined(separator: " "))) { return true }
            }
        }
        return false
    }

    /// How plainly `sentence` says what the subject is, nil when it does not: the subject must stand right before
    /// the defining verb, named as asked ("…dictionaries are…", not "…dictionaries the key is…" nor, for a
    /// tokenizer, "…tokens are…"). 1 when it opens its clause (after
    /// "so", "and", "that"… and an article or one other word: "A dictionary is…", "Python dictionaries are…", "we
    /// know that a variable is…"), 0.5 when more
    /// words come first ("to write a function is…"); 0.5 more when the verb is "means"/"refers"/"stands" or is
    /// followed by what a definition says ("is a…", "is like…", "is basically…") rather than a remark ("is another
    /// thing", "are the most powerful"); never when a participle follows ("is applied", `isPassive`). Best of its
    /// clauses.
    public func definingStrength(of sentence: String, analyzer: LexicalAnalyzer = LexicalAnalyzer()) -> Double? {
        guard !sentence.hasSuffix("?") else { return nil }
        let wanted = Set(subject)
        var best: Double?
        for words in Self.clauses(sentence) {
            guard words.contains(where: Self.definingVerbs.contains) else { continue }
            // Each word's terms, once: a clause holds many "is" and each is looked at from its left.
            let terms = words.map { analyzer.terms($0) }
            for (i, word) in words.enumerated() where i > 0 && i + 1 < words.count && Self.definingVerbs.contains(word)
                && !Self.isPassive(words[i + 1]) {
                // Back from the verb: the first word the index keeps must be the subject's, and all of it near.
                guard let last = (0..<i).reversed().first(where: { !terms[$0].isEmpty }),
                      terms[last].allSatisfy(wanted.contains), noun.isEmpty || Self.singular(words[last]) == noun else { continue }
                let window = max(0, i - subject.count - 2)..<i
                guard wanted.isSubset(of: window.flatMap { terms[$0] }) else { continue }
                let lead = window.first { terms[$0].contains(where: wanted.contains) } ?? i
                // A clause opens after "that", "because"… too ("we know that a variable is…").
                let opening = (0..<lead).last { Self.subordinators.contains(words[$0]) }.map { $0 + 1 } ?? 0
                var strength = lead - opening <= 1 ? 1.0 : 0.5
                if word == "means" || word == "mean" || word == "refers" || word == "refer" || word == "stands"
                    || Self.definingComplements.contains(words[i + 1]) { strength += 0.5 }
                best = max(best ?? 0, strength)
            }
        }
        return best
    }

    /// Whether lower-cased `text` may define the subject: the start every inflection of each subject term shares (the
    /// stem less its last letter: "dictionar" for "dictionari") is there, one of them followed within the next few
    /// words by a defining verb. Cheap (bytes, no analysis), so a long read of windows splits and analyses only the
    /// passages that pass; it never drops a sentence `definingStrength` would take.
    public func mayBeDefined(inLowercased text: String) -> Bool {
        // Typographic apostrophes join words as "'" does, as `clauses` reads them (bytes: Foundation's search of
        // a String for "’" took a tenth of a definition question on a 5,000-hour pack).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var apostrophe = 0   // bytes of E2 80 99 matched so far
        for byte in text.utf8 {
            bytes.append(byte)
            apostrophe = byte == Self.typographicApostrophe[apostrophe] ? apostrophe + 1 : (byte == 0xE2 ? 1 : 0)
            if apostrophe == 3 {
                bytes.removeLast(3)
                bytes.append(UInt8(ascii: "'"))
                apostrophe = 0
            }
        }
        let starts = subject.map { Array(($0.count >= 2 ? String($0.dropLast()) : $0).utf8) }
        guard starts.allSatisfy({ Self.firstIndex(of: $0, in: bytes, from: 0) != nil }) else { return false }
        for start in starts {
            var from = 0
            while let at = Self.firstIndex(of: start, in: bytes, from: from) {
                if Self.verbFollows(in: bytes, from: at + start.count, within: subject.count + 2) { return true }
                from = at + 1
            }
        }
        return false
    }

    /// Whether one of the `count` words after the one running at UTF-8 offset `offset` of `bytes` is a defining verb,
    /// words split as `words(_:)` splits them (letters, digits and apostrophes; a no-break space separates).
    static let typographicApostrophe: [UInt8] = Array("\u{2019}".utf8)

    /// Only `verbReach` bytes are read; words running past them may hold the verb (true), so nothing is dropped.
    static func verbFollows(in bytes: [UInt8], from offset: Int, within count: Int) -> Bool {
        let end = min(bytes.count, offset + verbReach)
        let cut = end < bytes.count
        var characters = String(decoding: bytes[offset..<end], as: UTF8.self).makeIterator()
        var pending: Character? = characters.next()
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "'" }
        while let c = pending, isWord(c) { pending = characters.next() }   // the rest of the subject's word
        for _ in 0..<count {
            while let c = pending, !isWord(c) { pending = characters.next() }
            var word = ""
            while let c = pending, isWord(c) { word.append(c); pending = characters.next() }
            if pending == nil && cut { return true }   // read to the cut: the words may go on past it
            guard !word.isEmpty else { return false }
            if definingVerbs.contains(word) { return true }
        }
        return false
    }

    /// Bytes read after a subject for its verb: a few words ("dictionaries, in python, are" is 22).
    static let verbReach = 96

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == first && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// A participle after "is" says what is done to the subject, not what it is ("…where the padding is applied",
    /// "the tokenizer is backed by Rust"); "is called…", "is defined as…" still name it.
    static func isPassive(_ next: String) -> Bool {
        next.count > 4 && next.hasSuffix("ed") && !["called", "named", "defined", "described"].contains(next)
    }

    /// The sentence's clauses (split at commas, semicolons, colons, brackets and dashes) as lower-cased words, each
    /// without the words a speaker opens with ("so", "and"…).
    static func clauses(_ sentence: String) -> [[String]] {
        sentence.lowercased().replacingOccurrences(of: "\u{2019}", with: "'").split(whereSeparator: { ",;:()—".contains($0) }).map {
            var words = Self.words(String($0))
            while let first = words.first, Self.openers.contains(first) { words.removeFirst() }
            return words
        }
    }

    /// The highest `definingStrength`, and the lowest: the subject deep in its clause, followed by a remark ("…the
    /// last task supported by the pipeline API is translation"), which is no reason to look past retrieval's first.
    static let plainest = 1.5
    static let weakest = 0.5

    /// Words after which a clause starts within a clause the punctuation gives.
    static let subordinators: Set<String> = ["that", "because", "cause", "which", "where", "when", "if", "so", "and", "but"]

    /// Words that, right after "is"/"are", open what the thing is ("a tuple is a…", "is like…", "are basically…").
    static let definingComplements: Set<String> = ["a", "an", "one", "like", "basically", "simply", "just",
                                                   "essentially", "kind", "sort", "type", "called", "used", "what",
                                                   "how", "where", "when"]

    /// Lower-cased words (letters, digits and apostrophes) in order.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }).map(String.init)
    }
}
