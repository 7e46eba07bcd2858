import Foundation
@testable import TUI

/// Theme files (`--theme FILE`, `~/.config/ytce/themes/*.json`).
enum ThemeTarget {
    static let theme = FuzzTarget(
        name: "theme",
        summary: "ThemeLoader.parse; a theme that loads has a name and a text style, and an error names the file",
        maxLength: 4 << 10,
        dictionary: "json"
    ) { input in
        let file = "fuzz-theme.json"
        do throws(ThemeError) {
            let theme = try ThemeLoader.parse(String(decoding: input, as: UTF8.self), file: file)
            require(!theme.name.isEmpty, "a theme without a name")
        } catch {
            require(error.description.contains(file), "a theme error that does not name the file: \(error)")
        }
    }
}

/// What the terminal sends: characters, ncurses key codes and the escape sequences ncurses leaves to ytce
/// (including SGR mouse reports). The input is read as the reader gets it: 4-byte code units, each either a
/// character (wget_wch's OK) or, with the top bit set, a key code (KEY_CODE_YES); escape bodies come from the text.
enum KeyDecoderTarget {
    static let keys = FuzzTarget(
        name: "keys",
        summary: "KeyDecoder: characters, key codes, Alt keys and escape sequences (the input's text as one CSI/SS3 body and as lines)",
        maxLength: 1 << 10,
        dictionary: "keys"
    ) { input in
        var i = 0
        while i + 4 <= input.count {
            let unit = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            if unit & 0x8000_0000 != 0 {
                _ = KeyDecoder.key(forKeyCode: Int32(bitPattern: unit & 0x7FFF_FFFF))
            } else {
                _ = KeyDecoder.key(forCharacter: unit)
                _ = KeyDecoder.altKey(forCharacter: unit)
                _ = KeyDecoder.isFinalByte(unit)
            }
            i += 4
        }
        let text = String(decoding: input, as: UTF8.self)
        for body in [text] + text.split(whereSeparator: \.isNewline).map(String.init) {
            if case .mouse(let event)? = KeyDecoder.decodeEscape(body) {
                require(event.x >= 0 && event.y >= 0, "a mouse event at (\(event.x), \(event.y))")
            }
        }
    }

}
