import Foundation
import XCTest
@testable import TUI

final class ThemeTests: XCTestCase {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var themesDir: String { Self.repoRoot.appendingPathComponent("themes").path }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tui-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func loader(env: [String: String] = [:], cwd: String? = nil) -> ThemeLoader {
        ThemeLoader(environment: env, executablePath: nil, currentDirectory: cwd ?? Self.repoRoot.path)
    }

    func testEveryShippedThemeLoadsAndDefinesAllRoles() throws {
        for name in ["default", "light", "high-contrast", "mono"] {
            let theme = try loader().load(name)
            XCTAssertEqual(theme.name, name)
            XCTAssertEqual(Set(theme.styles.keys), Set(ThemeRole.allCases), "\(name) misses roles")
        }
        XCTAssertEqual(loader().availableThemes(), ["default", "high-contrast", "light", "mono"])
    }

    func testBuiltinDefaultEqualsShippedFile() throws {
        let theme = try loader().load(themesDir + "/default.json")
        XCTAssertEqual(theme, Theme.builtinDefault)
    }

    func testMonoHasNoColours() throws {
        let mono = try loader().load("mono")
        for (_, s) in mono.styles {
            XCTAssertEqual(s.foreground, .terminalDefault)
            XCTAssertEqual(s.background, .terminalDefault)
        }
        XCTAssertTrue(mono[.selection].reverse)
    }

    func testColourForms() throws {
        let t = try ThemeLoader.parse("""
        {"name": "x", "roles": {
          "text": {"fg": "bright-blue", "bg": "default"},
          "accent": {"fg": 200, "bg": "red", "bold": true, "underline": true},
          "border-focused": {"fg": "gray", "italic": true}
        }}
        """, file: "x.json")
        XCTAssertEqual(t[.text], Style(foreground: .indexed(12)))
        XCTAssertEqual(t[.accent], Style(foreground: .indexed(200), background: .indexed(1), bold: true, underline: true))
        XCTAssertEqual(t[.borderFocused], Style(foreground: .indexed(8), italic: true))
        XCTAssertEqual(t[.selection], t[.text])  // missing role → text
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
            do { _ = try ThemeLoader.parse(json, file: "t.json"); return "no error" } catch { return error.description }
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

    func testFallbackToBuiltinDefault() throws {
        let d = try tempDir()
        try "{ nope".write(to: d.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        let l = loader(env: ["YTCE_THEMES_DIR": d.path], cwd: d.path)
        let (theme, error) = l.loadOrDefault("broken")
        XCTAssertEqual(theme, .builtinDefault)
        XCTAssertNotNil(error)
        XCTAssertTrue(error?.description.contains("broken.json: line 1") ?? false)
        let missing = l.loadOrDefault("nosuch")
        XCTAssertEqual(missing.theme, .builtinDefault)
        guard case .notFound? = missing.error else { return XCTFail() }
        // "default" always loads, from the built-in theme when no file exists.
        XCTAssertEqual(try ThemeLoader(environment: [:], executablePath: nil, currentDirectory: "/").load("default"), .builtinDefault)
    }

    func testSearchOrder() throws {
        let env = try tempDir(), xdg = try tempDir()
        try FileManager.default.createDirectory(at: xdg.appendingPathComponent("ytce/themes"), withIntermediateDirectories: true)
        let light = try String(contentsOfFile: themesDir + "/light.json", encoding: .utf8)
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"xdg-light\"")
            .write(to: xdg.appendingPathComponent("ytce/themes/light.json"), atomically: true, encoding: .utf8)
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"mine\"")
            .write(to: xdg.appendingPathComponent("ytce/themes/mine.json"), atomically: true, encoding: .utf8)
        var l = loader(env: ["XDG_CONFIG_HOME": xdg.path])
        XCTAssertEqual(try l.load("light").name, "xdg-light")  // user themes win over shipped
        XCTAssertTrue(l.availableThemes().contains("mine"))
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"env-light\"")
            .write(to: env.appendingPathComponent("light.json"), atomically: true, encoding: .utf8)
        l.environment["YTCE_THEMES_DIR"] = env.path
        XCTAssertEqual(try l.load("light").name, "env-light")
        // The executable's folder is walked up too.
        let exe = ThemeLoader(environment: [:], executablePath: Self.repoRoot.path + "/.build/debug/ytce", currentDirectory: "/")
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
        for role in ThemeRole.allCases {
            let d = Theme.builtinDefault[role].downgraded(to: .none)
            XCTAssertEqual(d.foreground, .terminalDefault)
        }
    }
}
