import Foundation
import XCTest
@testable import TUI

/// The theme loader as a framework piece: folders it is given, shipped `themes/` found by walking up, any role
/// names unless told which exist. ytce's own roles and folders are tested in ChannelExplorerTests.
final class ThemeTests: XCTestCase {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var themesDir: String { Self.repoRoot.appendingPathComponent("themes").path }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tui-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func loader(directories: [String] = [], roles: [ThemeRole]? = ThemeRole.framework, cwd: String? = nil) -> ThemeLoader {
        ThemeLoader(directories: directories, roles: roles, executablePath: nil, currentDirectory: cwd ?? Self.repoRoot.path)
    }

    func testColourForms() throws {
        let t = try ThemeLoader.parse("""
        {"name": "x", "roles": {
          "text": {"fg": "bright-blue", "bg": "default"},
          "accent": {"fg": 200, "bg": "red", "bold": true, "underline": true},
          "border-focused": {"fg": "gray", "italic": true}
        }}
        """, file: "x.json", roles: ThemeRole.framework)
        XCTAssertEqual(t[.text], Style(foreground: .indexed(12)))
        XCTAssertEqual(t[.accent], Style(foreground: .indexed(200), background: .indexed(1), bold: true, underline: true))
        XCTAssertEqual(t[.borderFocused], Style(foreground: .indexed(8), italic: true))
        XCTAssertEqual(t[.selection], t[.text])  // missing role → text
    }

    /// Without a list of roles any name is taken (and spelt as in the file); with one, a misspelt role is an error.
    func testRolesTheLoaderIsNotToldAbout() throws {
        let json = #"{"name": "x", "roles": {"text": {"fg": 1}, "app-only": {"fg": 2}}}"#
        let any = try ThemeLoader.parse(json, file: "x.json")
        XCTAssertEqual(any[ThemeRole("appOnly")], Style(foreground: .indexed(2)))
        XCTAssertThrowsError(try ThemeLoader.parse(json, file: "x.json", roles: ThemeRole.framework)) { error in
            XCTAssertTrue("\(error)".hasPrefix("x.json: roles.app-only: unknown role (known: accent, border"), "\(error)")
        }
        XCTAssertEqual(try ThemeLoader.parse(Data(json.utf8), file: "x.json"), any)
        XCTAssertThrowsError(try ThemeLoader.parse(Data([0xFF, 0xFE]), file: "x.json")) { error in
            XCTAssertEqual("\(error)", "x.json: cannot read: not UTF-8 text")
        }
    }

    func testBadColourNamesFileAndField() throws {
        let d = try tempDir()
        let file = d.appendingPathComponent("x.json")
        try #"{"name": "x", "roles": {"text": {"fg": 1}, "accent": {"fg": 300}}}"#.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try loader().load(file.path)) { error in
            XCTAssertEqual("\(error)", "\(file.path): roles.accent.fg: 300 is not a colour (0-255, a colour name, or \"default\")")
        }
    }

    func testOtherFieldErrors() {
        func message(_ json: String) -> String {
            do { _ = try ThemeLoader.parse(json, file: "t.json", roles: ThemeRole.framework); return "no error" } catch { return error.description }
        }
        XCTAssertEqual(message(#"{"name": "x", "roles": {"text": {}, "txet": {}}}"#).prefix(24), "t.json: roles.txet: unkn")
        XCTAssertEqual(message(#"{"name": "x", "roles": {"text": {"fg": "purple"}}}"#),
                       "t.json: roles.text.fg: \"purple\" is not a colour (0-255, a colour name, or \"default\")")
        XCTAssertEqual(message(#"{"name": "x", "roles": {"text": {"bold": "yes"}}}"#), "t.json: roles.text.bold: expected true or false")
        XCTAssertEqual(message(#"{"name": "x", "roles": {"text": {"blink": true}}}"#).prefix(34), "t.json: roles.text.blink: unknown ")
        XCTAssertEqual(message(#"{"roles": {"text": {}}}"#), "t.json: name: missing")
        XCTAssertEqual(message(#"{"name": "x", "roles": {"accent": {}}}"#), "t.json: roles.text: missing")
        XCTAssertEqual(message("[]"), "t.json: (top level): expected an object with \"name\" and \"roles\"")
    }

    func testSyntaxErrorNamesLine() {
        let json = "{\n  \"name\": \"x\",\n  \"roles\": {\n    \"text\": {\"fg\": 1}\n    \"dim\": {}\n  }\n}"
        XCTAssertThrowsError(try ThemeLoader.parse(json, file: "themes/bad.json")) { error in
            guard case let .syntax(file, line, _)? = error as? ThemeError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "themes/bad.json")
            XCTAssertEqual(line, 5)
            XCTAssertTrue("\(error)".hasPrefix("themes/bad.json: line 5: "), "\(error)")
        }
    }

    func testFallback() throws {
        let d = try tempDir()
        try "{ nope".write(to: d.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        let fallback = Theme(name: "mine", styles: [.text: Style(bold: true)])
        var l = loader(directories: [d.path], cwd: d.path)
        l.fallback = fallback
        let (theme, error) = l.loadOrDefault("broken")
        XCTAssertEqual(theme, fallback)
        XCTAssertTrue(error?.description.contains("broken.json: line 1") ?? false)
        let missing = l.loadOrDefault("nosuch")
        XCTAssertEqual(missing.theme, fallback)
        guard case .notFound? = missing.error else { return XCTFail() }
        // "default" always loads: the fallback when no file of that name exists.
        var bare = ThemeLoader(directories: [], executablePath: nil, currentDirectory: "/")
        XCTAssertEqual(try bare.load("default"), .builtinDefault)
        bare.fallback = fallback
        XCTAssertEqual(try bare.load("default"), fallback)
    }

    func testSearchOrder() throws {
        let first = try tempDir(), second = try tempDir()
        let light = try String(contentsOfFile: themesDir + "/light.json", encoding: .utf8)
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"second-light\"")
            .write(to: second.appendingPathComponent("light.json"), atomically: true, encoding: .utf8)
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"mine\"")
            .write(to: second.appendingPathComponent("mine.json"), atomically: true, encoding: .utf8)
        var l = loader(directories: [second.path], roles: nil)
        XCTAssertEqual(try l.load("light").name, "second-light")  // given folders win over shipped
        XCTAssertTrue(l.availableThemes().contains("mine"))
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"first-light\"")
            .write(to: first.appendingPathComponent("light.json"), atomically: true, encoding: .utf8)
        l.directories = [first.path, second.path]
        XCTAssertEqual(try l.load("light").name, "first-light")
        // The executable's folder is walked up too.
        let exe = ThemeLoader(executablePath: Self.repoRoot.path + "/.build/debug/ytce", currentDirectory: "/")
        XCTAssertEqual(exe.searchDirectories().first, themesDir)
    }
}

final class ColorModeTests: XCTestCase {
    func testDetect() {
        XCTAssertEqual(ColorMode.detect(colors: 256, hasColors: true, environment: [:]), .full256)
        XCTAssertEqual(ColorMode.detect(colors: 8, hasColors: true, environment: [:]), .ansi16)
        XCTAssertEqual(ColorMode.detect(colors: 0, hasColors: false, environment: [:]), .none)
        XCTAssertEqual(ColorMode.detect(colors: 256, hasColors: true, environment: ["NO_COLOR": "1"]), .none)
    }

    func testDowngradeTo16() {
        XCTAssertEqual(Color.indexed(196).downgraded(to: .ansi16), .indexed(9))  // bright red
        XCTAssertEqual(Color.indexed(21).downgraded(to: .ansi16), .indexed(4))  // blue
        XCTAssertEqual(Color.indexed(231).downgraded(to: .ansi16), .indexed(15))
        XCTAssertEqual(Color.indexed(16).downgraded(to: .ansi16), .indexed(0))
        XCTAssertEqual(Color.indexed(244).downgraded(to: .ansi16), .indexed(8))
        XCTAssertEqual(Color.indexed(3).downgraded(to: .ansi16), .indexed(3))
        XCTAssertEqual(Color.terminalDefault.downgraded(to: .ansi16), .terminalDefault)
        let s = Style(foreground: .indexed(252), background: .indexed(24), bold: true)
        XCTAssertEqual(s.downgraded(to: .full256), s)
        let d = s.downgraded(to: .ansi16)
        XCTAssertTrue(d.bold)
        if case .indexed(let f) = d.foreground { XCTAssertLessThan(f, 16) } else { XCTFail() }
    }

    func testDowngradeToNoneKeepsAttributes() {
        let s = Style(foreground: .indexed(231), background: .indexed(24), bold: true, underline: true, reverse: true)
        XCTAssertEqual(s.downgraded(to: .none), Style(bold: true, underline: true, reverse: true))
        // Every role of the default theme stays distinguishable where it matters: selection still has reverse or bg.
        for role in ThemeRole.framework {
            let d = Theme.builtinDefault[role].downgraded(to: .none)
            XCTAssertEqual(d.foreground, .terminalDefault)
        }
    }
}
