/// Cleaning of caption text, shared by every format.
///
/// What cleaning does, in one pass over the UTF-8 bytes:
/// - removes markup tags: WebVTT `<c>`, `<c.colorE5E5E5>`, `<i>`, `<b>`, `<u>`, `<lang en>`,
///   `<ruby>`, `<rt>` (the ruby text inside `<rt>…</rt>` is dropped too), `<v Speaker>` (the
///   first voice's name becomes the cue's speaker), karaoke timestamps `<00:00:01.000>`, and the
///   SRT/HTML tags `<font …>`, `<span …>`, `<em>`, `<strong>`, `<br>` (a line break → space).
///   Only these tag names are recognised, so literal text such as `x < y`, `<s>` or `<pad>` stays;
/// - removes ASS/SSA override blocks such as `{\an8}` (up to 256 bytes long);
/// - decodes HTML entities: `&amp; &lt; &gt; &quot; &apos; &#39; &nbsp; &lrm; &rlm;`, a few
///   typographic ones (`&hellip; &mdash; &ndash; &lsquo; &rsquo; &ldquo; &rdquo;` …) and numeric
///   `&#NNN;` / `&#xHH;`; unknown entities stay as written;
/// - turns every run of Unicode whitespace (including NBSP, U+2000–U+200A, U+3000) and control
///   characters into one ASCII space, and trims;
/// - deletes invisible format marks (U+00AD soft hyphen, U+200B ZWSP, U+200E/U+200F LRM/RLM, U+202A–U+202E,
///   U+2060, U+2066–U+2069, U+FEFF, U+061C) — including the ones `&lrm;`/`&rlm;` decode to.
///   ZWJ/ZWNJ are kept (emoji sequences, Persian).
/// Text content such as `[Music]`, `(laughs)`, a leading `>> ` or `- ` is left as is.
public enum CaptionText {
    /// Cleans one piece of caption text (line breaks inside it become spaces).
    /// Returns the cleaned text and the speaker named by its first `<v …>` tag, if any.
    public static func clean(_ text: String) -> (text: String, speaker: String?) {
        var copy = text
        return copy.withUTF8 { src -> (String, String?) in
            guard let base = src.baseAddress, src.count > 0 else { return ("", nil) }
            var cleaner = CaptionCleaner()
            let out = [UInt8](unsafeUninitializedCapacity: src.count) { buf, initialized in
                initialized = cleaner.clean(base, 0, src.count, into: buf.baseAddress!)
            }
            return (String(decoding: out, as: UTF8.self), cleaner.speaker)
        }
    }
}

/// The byte-level cleaner behind `CaptionText`. One instance per cue: it carries ruby state and
/// the speaker across the cue's lines.
///
/// Invariant relied on by callers: the output of `clean` is never longer than its input and is
/// valid UTF-8 when the input is.
struct CaptionCleaner {
    /// Inside `<rt>…</rt>`: ruby annotation text is dropped.
    var inRubyText = false
    /// Name from the first `<v Name>` tag seen in this cue.
    var speaker: String?

    private enum ScalarKind { case keep, space, drop }

    @inline(__always)
    private static func kind(of v: UInt32) -> ScalarKind {
        if v < 0x80 { return v <= 0x20 || v == 0x7F ? .space : .keep }
        if v <= 0xA0 { return .space }  // C1 controls, NEL, NBSP
        if v == 0xAD { return .drop }  // soft hyphen
        if v < 0x061C { return .keep }
        switch v {
        case 0x061C, 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF:
            return .drop
        case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return .space
        default:
            return .keep
        }
    }

    /// Cleans `src[start..<end]` into `out`, returning the number of bytes written (no leading or
    /// trailing space, no double spaces).
    mutating func clean(
        _ src: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var o = 0
        var pendingSpace = false
        var i = start
        while i < end {
            let c = src[i]
            if Self.isPlain(c) {
                // Fast path: a run of ordinary ASCII, single spaces included.
                var j = i + 1
                while j < end {
                    let d = src[j]
                    if Self.isPlain(d) {
                        j += 1
                    } else if d == 0x20 && j + 1 < end && Self.isPlain(src[j + 1]) {
                        j += 2
                    } else {
                        break
                    }
                }
                if !inRubyText {
                    if pendingSpace { if o > 0 { out[o] = 0x20; o += 1 }; pendingSpace = false }
                    (out + o).update(from: src + i, count: j - i)
                    o += j - i
                }
                i = j
                continue
            }
            if c < 0x80 {
                if c <= 0x20 || c == 0x7F {
                    pendingSpace = true
                    i += 1
                    continue
                }
                if c == 0x3C, let next = handleTag(src, i, end, &pendingSpace) {  // '<'
                    i = next
                    continue
                }
                if c == 0x26, let (scalar, next) = Self.decodeEntity(src, i, end) {  // '&'
                    i = next
                    switch Self.kind(of: scalar) {
                    case .space: pendingSpace = true
                    case .drop: break
                    case .keep:
                        guard !inRubyText else { continue }
                        if pendingSpace { if o > 0 { out[o] = 0x20; o += 1 }; pendingSpace = false }
                        o += Self.encode(scalar, into: out + o)
                    }
                    continue
                }
                if c == 0x7B, i + 1 < end, src[i + 1] == 0x5C, let close = Self.find(0x7D, src, i + 2, min(end, i + 256)) {
                    i = close + 1  // `{\an8}`
                    continue
                }
                i += 1
                guard !inRubyText else { continue }
                if pendingSpace { if o > 0 { out[o] = 0x20; o += 1 }; pendingSpace = false }
                out[o] = c
                o += 1
                continue
            }
            // Multi-byte scalar (input is validated UTF-8; be defensive about truncation anyway).
            let length: Int
            var v: UInt32
            if c >= 0xF0 { length = 4; v = UInt32(c & 0x07) } else if c >= 0xE0 { length = 3; v = UInt32(c & 0x0F) } else { length = 2; v = UInt32(c & 0x1F) }
            guard i + length <= end else { break }
            for k in 1..<length { v = (v << 6) | UInt32(src[i + k] & 0x3F) }
            switch Self.kind(of: v) {
            case .space: pendingSpace = true
            case .drop: break
            case .keep:
                if !inRubyText {
                    if pendingSpace { if o > 0 { out[o] = 0x20; o += 1 }; pendingSpace = false }
                    for k in 0..<length { out[o + k] = src[i + k] }
                    o += length
                }
            }
            i += length
        }
        return o
    }

    /// Printable ASCII that needs no treatment (everything but space, controls, `<`, `&`, `{`).
    @inline(__always)
    private static func isPlain(_ c: UInt8) -> Bool {
        c &- 0x21 < 0x5E && c != 0x3C && c != 0x26 && c != 0x7B
    }

    @inline(__always)
    private static func find(_ byte: UInt8, _ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
        var k = from
        while k < end {
            if p[k] == byte { return k }
            k += 1
        }
        return nil
    }

    // MARK: Tags

    private enum TagName { case c, i, b, u, v, ruby, rt, lang, font, span, br, em, strong }

    private static func tagName(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> TagName? {
        let n = e - s
        guard n >= 1 && n <= 6 else { return nil }
        @inline(__always) func lower(_ k: Int) -> UInt8 { p[s + k] | 0x20 }
        func matches(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == n else { return false }
            for k in 0..<n where lower(k) != word.utf8Start[k] { return false }
            return true
        }
        switch n {
        case 1:
            switch lower(0) {
            case 0x63: return .c
            case 0x69: return .i
            case 0x62: return .b
            case 0x75: return .u
            case 0x76: return .v
            default: return nil
            }
        case 2:
            if matches("rt") { return .rt }
            if matches("br") { return .br }
            if matches("em") { return .em }
            return nil
        case 4:
            if matches("ruby") { return .ruby }
            if matches("lang") { return .lang }
            if matches("font") { return .font }
            if matches("span") { return .span }
            return nil
        case 6:
            return matches("strong") ? .strong : nil
        default:
            return nil
        }
    }

    /// If a recognised tag starts at `i` (which holds `<`), applies it and returns the index after
    /// its `>`; otherwise returns nil and the `<` is literal text.
    private mutating func handleTag(
        _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ pendingSpace: inout Bool
    ) -> Int? {
        var k = i + 1
        guard k < end else { return nil }
        let first = p[k]
        if TranscriptBytes.isDigit(first) {
            // Karaoke timestamp `<00:00:01.000>`.
            while k < end {
                let c = p[k]
                if c == 0x3E { return k + 1 }
                guard TranscriptBytes.isDigit(c) || c == 0x3A || c == 0x2E || c == 0x2C else { return nil }
                k += 1
            }
            return nil
        }
        let closing = first == 0x2F  // '/'
        if closing { k += 1 }
        let nameStart = k
        while k < end, TranscriptBytes.isLetter(p[k]) { k += 1 }
        guard let name = Self.tagName(p, nameStart, k), k < end else { return nil }
        let after = p[k]
        guard after == 0x3E || after == 0x2E || after == 0x2F || TranscriptBytes.isASCIISpace(after) else { return nil }
        // Find the closing '>' (a '<' first means this was not a tag).
        var close = k
        while close < end {
            let c = p[close]
            if c == 0x3E { break }
            if c == 0x3C { return nil }
            close += 1
        }
        guard close < end else { return nil }
        switch name {
        case .rt: inRubyText = !closing
        case .ruby: if closing { inRubyText = false }
        case .br: pendingSpace = true
        case .v where !closing && speaker == nil:
            // `<v.class1.class2 Annotation>`: skip classes, the rest is the speaker's name.
            var a = k
            while a < close && !TranscriptBytes.isASCIISpace(p[a]) { a += 1 }
            if a < close {
                var nameCleaner = CaptionCleaner()
                let count = close - a
                let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
                    initialized = nameCleaner.clean(p, a, close, into: buf.baseAddress!)
                }
                if !bytes.isEmpty { speaker = String(decoding: bytes, as: UTF8.self) }
            }
        default: break
        }
        return close + 1
    }

    // MARK: Entities

    /// Decodes the entity starting at `i` (which holds `&`): returns the scalar value and the
    /// index after the `;`, or nil when this is not a known, well-formed entity.
    static func decodeEntity(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (UInt32, Int)? {
        var k = i + 1
        guard k < end else { return nil }
        if p[k] == 0x23 {  // '#'
            k += 1
            var value: UInt32 = 0
            var digits = 0
            if k < end, p[k] | 0x20 == 0x78 {  // 'x'
                k += 1
                while k < end, digits < 7 {
                    let c = p[k]
                    let d: UInt8
                    if TranscriptBytes.isDigit(c) { d = c - 0x30 } else if (c | 0x20) &- 0x61 < 6 { d = (c | 0x20) - 0x61 + 10 } else { break }
                    value = value * 16 + UInt32(d)
                    digits += 1
                    k += 1
                }
            } else {
                while k < end, digits < 8, TranscriptBytes.isDigit(p[k]) {
                    value = value * 10 + UInt32(p[k] - 0x30)
                    digits += 1
                    k += 1
                }
            }
            guard digits > 0, k < end, p[k] == 0x3B else { return nil }
            guard value > 0, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
            return (value, k + 1)
        }
        let nameStart = k
        while k < end, k - nameStart < 8, TranscriptBytes.isLetter(p[k]) { k += 1 }
        guard k > nameStart, k < end, p[k] == 0x3B else { return nil }
        guard let value = namedEntity(p, nameStart, k) else { return nil }
        return (value, k + 1)
    }

    private static func namedEntity(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> UInt32? {
        switch String(decoding: UnsafeBufferPointer(start: p + s, count: e - s), as: UTF8.self) {
        case "amp": return 0x26
        case "lt": return 0x3C
        case "gt": return 0x3E
        case "quot": return 0x22
        case "apos": return 0x27
        case "nbsp": return 0xA0
        case "lrm": return 0x200E
        case "rlm": return 0x200F
        case "ensp": return 0x2002
        case "emsp": return 0x2003
        case "thinsp": return 0x2009
        case "ndash": return 0x2013
        case "mdash": return 0x2014
        case "lsquo": return 0x2018
        case "rsquo": return 0x2019
        case "sbquo": return 0x201A
        case "ldquo": return 0x201C
        case "rdquo": return 0x201D
        case "bdquo": return 0x201E
        case "hellip": return 0x2026
        case "laquo": return 0xAB
        case "raquo": return 0xBB
        case "copy": return 0xA9
        case "reg": return 0xAE
        case "trade": return 0x2122
        case "deg": return 0xB0
        case "middot": return 0xB7
        case "bull": return 0x2022
        case "times": return 0xD7
        case "shy": return 0xAD
        case "zwj": return 0x200D
        case "zwnj": return 0x200C
        default: return nil
        }
    }

    /// Writes `v` as UTF-8, returning the byte count.
    @inline(__always)
    static func encode(_ v: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0x80 {
            out[0] = UInt8(v)
            return 1
        } else if v < 0x800 {
            out[0] = UInt8(0xC0 | (v >> 6))
            out[1] = UInt8(0x80 | (v & 0x3F))
            return 2
        } else if v < 0x10000 {
            out[0] = UInt8(0xE0 | (v >> 12))
            out[1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (v & 0x3F))
            return 3
        } else {
            out[0] = UInt8(0xF0 | (v >> 18))
            out[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((v >> 6) & 0x3F))
            out[3] = UInt8(0x80 | (v & 0x3F))
            return 4
        }
    }
}
