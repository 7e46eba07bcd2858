/// Martin Porter's stemming algorithm, as in his reference C implementation (the 1980 paper plus the
/// `bli`→`ble` and `logi`→`log` refinements; the same algorithm as SQLite FTS5's `porter` tokenizer).
/// Works on lower-case ASCII letters; words of one or two letters are left alone.
struct PorterStemmer {
    private var b: [UInt8]
    private var k: Int      // index of the last letter of the current word
    private var j = 0       // end of the stem before the suffix `ends` matched

    static func stem(_ word: [UInt8]) -> [UInt8] {
        guard word.count > 2 else { return word }
        var s = PorterStemmer(b: word, k: word.count - 1)
        s.run()
        return Array(s.b[0...s.k])
    }

    static func stem(_ word: String) -> String {
        String(decoding: stem(Array(word.utf8)), as: UTF8.self)
    }

    private init(b: [UInt8], k: Int) {
        self.b = b
        self.k = k
    }

    private mutating func run() {
        step1ab()
        if k > 0 {
            step1c()
            step2()
            step3()
            step4()
            step5()
        }
    }

    // MARK: Letters and measure

    /// Whether b[i] is a consonant: not a vowel, and `y` only after a vowel (or at the start).
    private func cons(_ i: Int) -> Bool {
        switch b[i] {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
        case UInt8(ascii: "y"): return i == 0 ? true : !cons(i - 1)
        default: return true
        }
    }

    /// m in [C](VC)^m[V] for b[0...j].
    private func m() -> Int {
        var n = 0
        var i = 0
        while true {
            if i > j { return n }
            if !cons(i) { break }
            i += 1
        }
        i += 1
        while true {
            while true {
                if i > j { return n }
                if cons(i) { break }
                i += 1
            }
            i += 1
            n += 1
            while true {
                if i > j { return n }
                if !cons(i) { break }
                i += 1
            }
            i += 1
        }
    }

    private func vowelInStem() -> Bool {
        (0...max(0, j)).contains { $0 <= j && !cons($0) }
    }

    private func doubleConsonant(_ i: Int) -> Bool {
        i >= 1 && b[i] == b[i - 1] && cons(i)
    }

    /// consonant-vowel-consonant ending at i, the last not w, x or y: "hop", "cav" (so "hope", "cave").
    private func cvc(_ i: Int) -> Bool {
        guard i >= 2, cons(i), !cons(i - 1), cons(i - 2) else { return false }
        let c = b[i]
        return c != UInt8(ascii: "w") && c != UInt8(ascii: "x") && c != UInt8(ascii: "y")
    }

    // MARK: Suffixes

    private mutating func ends(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard n <= k + 1 else { return false }
        let p = s.utf8Start
        if p[n - 1] != b[k] { return false }
        for t in 0..<n where b[k - n + 1 + t] != p[t] { return false }
        j = k - n
        return true
    }

    private mutating func setTo(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        let p = s.utf8Start
        let start = j + 1
        for t in 0..<n {
            if start + t < b.count { b[start + t] = p[t] } else { b.append(p[t]) }
        }
        k = j + n
    }

    private mutating func replaceIfMeasured(_ s: StaticString) {
        if m() > 0 { setTo(s) }
    }

    // MARK: Steps

    /// Plurals and -ed / -ing: caresses→caress, ponies→poni, agreed→agree, hopping→hop, filing→file.
    private mutating func step1ab() {
        if b[k] == UInt8(ascii: "s") {
            if ends("sses") { k -= 2 } else if ends("ies") { setTo("i") } else if k >= 1 && b[k - 1] != UInt8(ascii: "s") { k -= 1 }
        }
        if ends("eed") {
            if m() > 0 { k -= 1 }
        } else if (ends("ed") || ends("ing")) && vowelInStem() {
            k = j
            if ends("at") { setTo("ate") } else if ends("bl") { setTo("ble") } else if ends("iz") { setTo("ize") } else if doubleConsonant(k) {
                k -= 1
                let c = b[k]
                if c == UInt8(ascii: "l") || c == UInt8(ascii: "s") || c == UInt8(ascii: "z") { k += 1 }
            } else if m() == 1 && cvc(k) {
                j = k
                setTo("e")
            }
        }
    }

    /// Terminal y → i when there is another vowel in the stem: happy→happi, sky stays.
    private mutating func step1c() {
        if ends("y") && vowelInStem() { b[k] = UInt8(ascii: "i") }
    }

    /// Double suffixes to single ones: relational→relate, digitizer→digitize.
    private mutating func step2() {
        guard k >= 1 else { return }
        switch b[k - 1] {
        case UInt8(ascii: "a"):
            if ends("ational") { replaceIfMeasured("ate"); return }
            if ends("tional") { replaceIfMeasured("tion"); return }
        case UInt8(ascii: "c"):
            if ends("enci") { replaceIfMeasured("ence"); return }
            if ends("anci") { replaceIfMeasured("ance"); return }
        case UInt8(ascii: "e"):
            if ends("izer") { replaceIfMeasured("ize"); return }
        case UInt8(ascii: "l"):
            if ends("bli") { replaceIfMeasured("ble"); return }
            if ends("alli") { replaceIfMeasured("al"); return }
            if ends("entli") { replaceIfMeasured("ent"); return }
            if ends("eli") { replaceIfMeasured("e"); return }
            if ends("ousli") { replaceIfMeasured("ous"); return }
        case UInt8(ascii: "o"):
            if ends("ization") { replaceIfMeasured("ize"); return }
            if ends("ation") { replaceIfMeasured("ate"); return }
            if ends("ator") { replaceIfMeasured("ate"); return }
        case UInt8(ascii: "s"):
            if ends("alism") { replaceIfMeasured("al"); return }
            if ends("iveness") { replaceIfMeasured("ive"); return }
            if ends("fulness") { replaceIfMeasured("ful"); return }
            if ends("ousness") { replaceIfMeasured("ous"); return }
        case UInt8(ascii: "t"):
            if ends("aliti") { replaceIfMeasured("al"); return }
            if ends("iviti") { replaceIfMeasured("ive"); return }
            if ends("biliti") { replaceIfMeasured("ble"); return }
        case UInt8(ascii: "g"):
            if ends("logi") { replaceIfMeasured("log"); return }
        default:
            return
        }
    }

    /// -ic-, -full, -ness and the like: triplicate→triplic, hopeful→hope, goodness→good.
    private mutating func step3() {
        switch b[k] {
        case UInt8(ascii: "e"):
            if ends("icate") { replaceIfMeasured("ic"); return }
            if ends("ative") { replaceIfMeasured(""); return }
            if ends("alize") { replaceIfMeasured("al"); return }
        case UInt8(ascii: "i"):
            if ends("iciti") { replaceIfMeasured("ic"); return }
        case UInt8(ascii: "l"):
            if ends("ical") { replaceIfMeasured("ic"); return }
            if ends("ful") { replaceIfMeasured(""); return }
        case UInt8(ascii: "s"):
            if ends("ness") { replaceIfMeasured(""); return }
        default:
            return
        }
    }

    /// Drops -ant, -ence, -ment… when the remaining stem has m > 1: revival→reviv, adjustment→adjust.
    private mutating func step4() {
        guard k >= 1 else { return }
        var matched = false
        switch b[k - 1] {
        case UInt8(ascii: "a"): matched = ends("al")
        case UInt8(ascii: "c"): matched = ends("ance") || ends("ence")
        case UInt8(ascii: "e"): matched = ends("er")
        case UInt8(ascii: "i"): matched = ends("ic")
        case UInt8(ascii: "l"): matched = ends("able") || ends("ible")
        case UInt8(ascii: "n"): matched = ends("ant") || ends("ement") || ends("ment") || ends("ent")
        case UInt8(ascii: "o"):
            if ends("ion") && j >= 0 && (b[j] == UInt8(ascii: "s") || b[j] == UInt8(ascii: "t")) {
                matched = true
            } else {
                matched = ends("ou")
            }
        case UInt8(ascii: "s"): matched = ends("ism")
        case UInt8(ascii: "t"): matched = ends("ate") || ends("iti")
        case UInt8(ascii: "u"): matched = ends("ous")
        case UInt8(ascii: "v"): matched = ends("ive")
        case UInt8(ascii: "z"): matched = ends("ize")
        default: return
        }
        if matched && m() > 1 { k = j }
    }

    /// Final -e and double l: probate→probat, controll→control.
    private mutating func step5() {
        j = k
        if b[k] == UInt8(ascii: "e") {
            let a = m()
            if a > 1 || (a == 1 && !cvc(k - 1)) { k -= 1 }
        }
        if b[k] == UInt8(ascii: "l") && doubleConsonant(k) && m() > 1 { k -= 1 }
    }
}
