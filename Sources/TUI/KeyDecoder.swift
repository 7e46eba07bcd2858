/// Turns what ncurses reports (characters, KEY_* codes, leftover escape sequences) into `Key`s.
/// Pure, so it is tested without a terminal. The KEY_* values are ncurses' (stable for decades);
/// a test compares them with the header's.
enum KeyDecoder {
    enum Code {
        static let down: Int32 = 0o402, up: Int32 = 0o403, left: Int32 = 0o404, right: Int32 = 0o405
        static let home: Int32 = 0o406, backspace: Int32 = 0o407, f0: Int32 = 0o410
        static let delete: Int32 = 0o512, insert: Int32 = 0o513
        static let pageDown: Int32 = 0o522, pageUp: Int32 = 0o523, enter: Int32 = 0o527
        static let backTab: Int32 = 0o541, end: Int32 = 0o550
        static let mouse: Int32 = 0o631, resize: Int32 = 0o632
    }

    enum KeyCodeResult: Equatable {
        case key(Key)
        case mouse
        case resize
        case ignored
    }

    /// A character returned by wget_wch (not a function key). ESC (27) is handled by the reader, not here.
    static func key(forCharacter code: UInt32) -> Key? {
        switch code {
        case 13, 10: return .enter
        case 9: return .tab
        case 127, 8: return .backspace
        case 27: return .escape
        case 0: return .control(" ")  // Ctrl-Space / Ctrl-@
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(code) + 96)))
        case 28...31: return .control(Character(Unicode.Scalar(UInt8(code) + 64)))  // Ctrl-\ ] ^ _
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            if code >= 0x80 && code < 0xA0 { return nil }
            return .character(Character(scalar))
        }
    }

    /// A function-key code returned by wget_wch with KEY_CODE_YES.
    static func key(forKeyCode code: Int32) -> KeyCodeResult {
        switch code {
        case Code.up: return .key(.up)
        case Code.down: return .key(.down)
        case Code.left: return .key(.left)
        case Code.right: return .key(.right)
        case Code.home: return .key(.home)
        case Code.end: return .key(.end)
        case Code.backspace: return .key(.backspace)
        case Code.delete: return .key(.delete)
        case Code.insert: return .key(.insert)
        case Code.pageDown: return .key(.pageDown)
        case Code.pageUp: return .key(.pageUp)
        case Code.enter: return .key(.enter)
        case Code.backTab: return .key(.backTab)
        case Code.mouse: return .mouse
        case Code.resize: return .resize
        case (Code.f0 + 1)...(Code.f0 + 63): return .key(.function(Int(code - Code.f0)))
        default: return .ignored
        }
    }

    /// The key for Alt plus a character code that followed ESC.
    static func altKey(forCharacter code: UInt32) -> Key? {
        switch key(forCharacter: code) {
        case .character(let c): return .alt(c)
        case .backspace: return .alt("\u{7F}")
        case .enter: return .alt("\r")
        case .control(let c): return .alt(Character(Unicode.Scalar(UInt8(c.asciiValue ?? 64) & 0x1F)))
        default: return nil
        }
    }

    /// Decodes an escape sequence that ncurses did not (the characters after ESC, e.g. "[1;3A", "OP", "[<0;5;3M").
    /// Modifiers are ignored (Alt-↑ is ↑). Unknown sequences give nil and are dropped by the reader.
    static func decodeEscape(_ body: String) -> InputEvent? {
        let chars = Array(body.unicodeScalars)
        guard chars.count >= 2, let final = chars.last else { return nil }
        if chars[0] == "O" {
            return final == "M" ? .key(.enter) : finalLetterKeys[final].map { .key($0) }
        }
        guard chars[0] == "[" else { return nil }
        let params = String(String.UnicodeScalarView(chars[1..<(chars.count - 1)]))
        if params.hasPrefix("<"), final == "M" || final == "m" {
            // SGR mouse: <button;x;y M (press) / m (release); coordinates from 1. The numbers come from outside
            // (any bytes can arrive on stdin): a field out of range drops the report instead of reaching arithmetic.
            let fields = params.dropFirst().split(separator: ";", omittingEmptySubsequences: false)
            guard fields.count == 3, final == "M",
                  let b = number(fields[0], in: 0...255),
                  let column = number(fields[1], in: 1...maxCoordinate),
                  let row = number(fields[2], in: 1...maxCoordinate) else { return nil }
            let x = column - 1, y = row - 1
            guard b & 32 == 0 else { return nil }  // motion
            let button: MouseButton
            switch b & ~(4 | 8 | 16) {
            case 0: button = .left
            case 1: button = .middle
            case 2: button = .right
            case 64: button = .wheelUp
            case 65: button = .wheelDown
            default: return nil
            }
            return .mouse(MouseEvent(button: button, x: x, y: y))
        }
        switch final {
        case "Z": return .key(.backTab)
        case "~":
            guard let field = params.split(separator: ";", omittingEmptySubsequences: false).first,
                  let n = number(field, in: 0...99) else { return nil }
            switch n {
            case 1, 7: return .key(.home)
            case 2: return .key(.insert)
            case 3: return .key(.delete)
            case 4, 8: return .key(.end)
            case 5: return .key(.pageUp)
            case 6: return .key(.pageDown)
            case 11...15: return .key(.function(n - 10))
            case 17...21: return .key(.function(n - 11))
            case 23, 24: return .key(.function(n - 12))
            default: return nil
            }
        default: return finalLetterKeys[final].map { .key($0) }
        }
    }

    /// The largest mouse coordinate accepted (SGR reports are 1-based; no terminal is this large).
    static let maxCoordinate = 65_535

    /// A decimal field of an escape sequence within `range`; nil for anything else (signs, overflow, junk).
    static func number(_ field: Substring, in range: ClosedRange<Int>) -> Int? {
        // At most 5 digits: never near Int's limits, and no sign is accepted.
        guard !field.isEmpty, field.count <= 5, field.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let n = Int(field), range.contains(n) else { return nil }
        return n
    }

    /// Keys named by the last letter of both SS3 (`ESC O x`) and CSI (`ESC [ … x`) sequences.
    static let finalLetterKeys: [Unicode.Scalar: Key] = [
        "A": .up, "B": .down, "C": .right, "D": .left, "H": .home, "F": .end,
        "P": .function(1), "Q": .function(2), "R": .function(3), "S": .function(4),
    ]

    /// Whether `code` ends a CSI sequence (the final byte).
    static func isFinalByte(_ code: UInt32) -> Bool { code >= 0x40 && code <= 0x7E }
}
