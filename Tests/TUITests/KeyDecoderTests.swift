import CCurses
import XCTest
@testable import TUI

final class KeyDecoderTests: XCTestCase {
    func testHardCodedKeyCodesMatchNcurses() {
        typealias C = KeyDecoder.Code
        XCTAssertEqual(C.up, ytce_key_up()); XCTAssertEqual(C.down, ytce_key_down())
        XCTAssertEqual(C.left, ytce_key_left()); XCTAssertEqual(C.right, ytce_key_right())
        XCTAssertEqual(C.home, ytce_key_home()); XCTAssertEqual(C.end, ytce_key_end())
        XCTAssertEqual(C.backspace, ytce_key_backspace()); XCTAssertEqual(C.f0, ytce_key_f0())
        XCTAssertEqual(C.delete, ytce_key_dc()); XCTAssertEqual(C.insert, ytce_key_ic())
        XCTAssertEqual(C.pageDown, ytce_key_npage()); XCTAssertEqual(C.pageUp, ytce_key_ppage())
        XCTAssertEqual(C.enter, ytce_key_enter()); XCTAssertEqual(C.backTab, ytce_key_btab())
        XCTAssertEqual(C.mouse, ytce_key_mouse()); XCTAssertEqual(C.resize, ytce_key_resize())
    }

    func testCharacters() {
        XCTAssertEqual(KeyDecoder.key(forCharacter: 13), .enter)
        XCTAssertEqual(KeyDecoder.key(forCharacter: 9), .tab)
        XCTAssertEqual(KeyDecoder.key(forCharacter: 127), .backspace)
        XCTAssertEqual(KeyDecoder.key(forCharacter: 3), .control("c"))
        XCTAssertEqual(KeyDecoder.key(forCharacter: 1), .control("a"))
        XCTAssertEqual(KeyDecoder.key(forCharacter: 23), .control("w"))
        XCTAssertEqual(KeyDecoder.key(forCharacter: 0x6F22), .character("漢"))
        XCTAssertEqual(KeyDecoder.key(forCharacter: 0x1F600), .character("😀"))
        XCTAssertNil(KeyDecoder.key(forCharacter: 0x85))
        XCTAssertEqual(KeyDecoder.altKey(forCharacter: 0x62), .alt("b"))
        XCTAssertEqual(KeyDecoder.altKey(forCharacter: 0x31), .alt("1"))
        XCTAssertEqual(KeyDecoder.altKey(forCharacter: 127), .alt("\u{7F}"))
    }

    func testKeyCodes() {
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o541), .key(.backTab))
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o410 + 5), .key(.function(5)))
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o632), .resize)
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o631), .mouse)
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o523), .key(.pageUp))
        XCTAssertEqual(KeyDecoder.key(forKeyCode: 0o777), .ignored)
    }

    func testEscapeSequences() {
        XCTAssertEqual(KeyDecoder.decodeEscape("[A"), .key(.up))
        XCTAssertEqual(KeyDecoder.decodeEscape("[1;3B"), .key(.down))
        XCTAssertEqual(KeyDecoder.decodeEscape("[Z"), .key(.backTab))
        XCTAssertEqual(KeyDecoder.decodeEscape("[3~"), .key(.delete))
        XCTAssertEqual(KeyDecoder.decodeEscape("[5~"), .key(.pageUp))
        XCTAssertEqual(KeyDecoder.decodeEscape("[15~"), .key(.function(5)))
        XCTAssertEqual(KeyDecoder.decodeEscape("[24~"), .key(.function(12)))
        XCTAssertEqual(KeyDecoder.decodeEscape("OP"), .key(.function(1)))
        XCTAssertEqual(KeyDecoder.decodeEscape("OH"), .key(.home))
        XCTAssertEqual(KeyDecoder.decodeEscape("[<0;10;5M"), .mouse(MouseEvent(button: .left, x: 9, y: 4)))
        XCTAssertEqual(KeyDecoder.decodeEscape("[<65;1;1M"), .mouse(MouseEvent(button: .wheelDown, x: 0, y: 0)))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;10;5m"))
        XCTAssertNil(KeyDecoder.decodeEscape("[99~"))
        XCTAssertNil(KeyDecoder.decodeEscape("x"))
    }

    /// Terminal input is outside bytes: numbers a sequence carries must never reach arithmetic unchecked (an SGR
    /// coordinate of Int.min trapped in `x - 1`).
    func testHostileNumbersInEscapeSequencesAreIgnored() {
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;-9223372036854775808;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;5;-9223372036854775808M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<-9223372036854775808;5;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;9223372036854775807;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;99999999999999999999999;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;0;5M"), "SGR coordinates start at 1")
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;+3;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;;5M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[<0;3;5;7M"))
        XCTAssertNil(KeyDecoder.decodeEscape("[-9223372036854775808~"))
        XCTAssertNil(KeyDecoder.decodeEscape("[9223372036854775807~"))
        XCTAssertNil(KeyDecoder.decodeEscape("[99999999999999999999999~"))
        XCTAssertEqual(KeyDecoder.decodeEscape("[<0;65535;65535M"), .mouse(MouseEvent(button: .left, x: 65534, y: 65534)))
        XCTAssertEqual(KeyDecoder.decodeEscape("[3;5~"), .key(.delete))
    }

    /// Raw terminal input as bytes (what the in-memory backend and a fuzz target feed the decoder).
    func testBytes() {
        func events(_ s: String) -> [InputEvent] { KeyDecoder.events(fromBytes: Array(s.utf8)) }
        XCTAssertEqual(events("aé漢\r\t\u{7F}"), [.key(.character("a")), .key(.character("é")), .key(.character("漢")), .key(.enter),
                                                    .key(.tab), .key(.backspace)])
        XCTAssertEqual(events("\u{1B}[A\u{1B}OP\u{1B}[5~\u{1B}[Z"), [.key(.up), .key(.function(1)), .key(.pageUp), .key(.backTab)])
        XCTAssertEqual(events("\u{1B}[<0;10;5M\u{1B}[<0;10;5m"), [.mouse(MouseEvent(button: .left, x: 9, y: 4))])
        XCTAssertEqual(events("\u{1B}b\u{1B}1\u{1B}\u{1B}"), [.key(.alt("b")), .key(.alt("1")), .key(.escape), .key(.escape)])
        XCTAssertEqual(events("\u{1B}[<0;-9223372036854775808;5Mx"), [.key(.character("x"))], "a hostile report is dropped, the rest kept")
        XCTAssertEqual(events("\u{1B}["), [.key(.alt("["))])
        XCTAssertEqual(events("\u{1B}[1;2"), [], "an unfinished sequence is dropped")
        // Invalid UTF-8 (a lone continuation byte, an overlong form, a surrogate) is skipped, never a trap.
        XCTAssertEqual(KeyDecoder.events(fromBytes: [0x80, 0x61, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0x62]),
                       [.key(.character("a")), .key(.character("b"))])
        XCTAssertEqual(KeyDecoder.events(fromBytes: [0xE6, 0xBC]), [], "a cut-off character")
        XCTAssertEqual(KeyDecoder.events(fromBytes: Array(repeating: 0x1B, count: 3)), [.key(.escape), .key(.escape), .key(.escape)])
    }
}
