extension KeyDecoder {
    /// Decodes raw terminal input (what a terminal would send on stdin) into events, the same way the terminal
    /// backend reads it: UTF-8 characters, control characters, `ESC [ … final` and `ESC O x` sequences (mouse reports
    /// included), Alt+key as ESC followed by the key, and a lone ESC as Escape. Bytes that are not valid UTF-8 and
    /// sequences it does not know are dropped. Pure: the in-memory backend and the fuzz target feed it bytes.
    public static func events(fromBytes bytes: [UInt8]) -> [InputEvent] {
        var events: [InputEvent] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x1B else {
                let (scalar, length) = utf8Scalar(bytes, at: i)
                i += length
                if let scalar, let key = key(forCharacter: scalar) { events.append(.key(key)) }
                continue
            }
            // ESC: a sequence, Alt plus a key, or Escape itself.
            i += 1
            guard i < bytes.count else { events.append(.key(.escape)); break }
            let next = bytes[i]
            if next == 0x1B {
                events.append(.key(.escape))
                continue
            }
            if next == 0x5B || next == 0x4F {  // '[' or 'O'
                var body = String(Character(Unicode.Scalar(next)))
                var j = i + 1
                var complete = false
                while j < bytes.count, j - i <= 32 {
                    let c = bytes[j]
                    guard c < 0x80, c != 0x1B else { break }
                    body.unicodeScalars.append(Unicode.Scalar(c))
                    j += 1
                    if next == 0x4F || (isFinalByte(UInt32(c)) && !(j - i == 2 && c == 0x5B)) {
                        complete = true
                        break
                    }
                }
                if complete {
                    if let event = decodeEscape(body) { events.append(event) }
                    i = j
                } else if j == i + 1 {
                    events.append(.key(.alt(Character(Unicode.Scalar(next)))))
                    i = j
                } else {
                    i = j  // an unfinished sequence is dropped
                }
                continue
            }
            let (scalar, length) = utf8Scalar(bytes, at: i)
            i += length
            if let scalar, let key = altKey(forCharacter: scalar) { events.append(.key(key)) }
        }
        return events
    }

    /// The scalar at `index` of UTF-8 `bytes` and its length in bytes (nil and 1 for a byte that starts no valid
    /// sequence).
    static func utf8Scalar(_ bytes: [UInt8], at index: Int) -> (UInt32?, Int) {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return (UInt32(lead), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return (nil, 1)
        }
        guard index + length <= bytes.count else { return (nil, 1) }
        for k in 1..<length {
            let c = bytes[index + k]
            guard c & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(c & 0x3F)
        }
        // Overlong forms, surrogates and values past U+10FFFF are not characters.
        let smallest: [UInt32] = [0, 0, 0x80, 0x800, 0x10000]
        guard value >= smallest[length], value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return (nil, 1) }
        return (value, length)
    }
}
