@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// ytce's themes: the shipped files, the user's folders (from AppPaths), and theme files written before ytce's
/// roles moved out of the framework.
final class ThemeFilesTests: XCTestCase {
    static var themesDir: String { ExplorerFixture.repository.appendingPathComponent("themes").path }

    func loader(_ environment: [String: String] = ["HOME": "/nonexistent"]) -> ThemeLoader {
        ExplorerTheme.loader(paths: AppPaths(environment: environment), executablePath: nil,
                             currentDirectory: ExplorerFixture.repository.path)
    }

    func temporaryFolder() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    func testEveryShippedThemeLoadsAndStylesEveryRole() throws {
        for name in ["default", "light", "high-contrast", "mono"] {
            let theme = try loader().load(name)
            XCTAssertEqual(theme.name, name)
            XCTAssertEqual(Set(theme.styles.keys), Set(ExplorerTheme.roles), "\(name) misses roles")
        }
        XCTAssertEqual(loader().availableThemes(), ["default", "high-contrast", "light", "mono"])
    }

    func testBuiltinDefaultEqualsTheShippedFile() throws {
        XCTAssertEqual(try loader().load(Self.themesDir + "/default.json"), ExplorerTheme.builtinDefault)
        XCTAssertEqual(try ExplorerTheme.loader(paths: AppPaths(environment: ["HOME": "/nonexistent"]), executablePath: nil,
                                                currentDirectory: "/").load("default"), ExplorerTheme.builtinDefault)
    }

    func testMonoHasNoColours() throws {
        let mono = try loader().load("mono")
        for (_, s) in mono.styles {
            XCTAssertEqual(s.foreground, .terminalDefault)
            XCTAssertEqual(s.background, .terminalDefault)
        }
        XCTAssertTrue(mono[.selection].reverse)
    }

    /// A user theme written for the old single list of roles (app roles like `citation` beside `text`, names with
    /// dashes) loads unchanged and gives the same styles.
    func testAUserThemeFromBeforeTheSplitStillLoads() throws {
        let config = try temporaryFolder()
        try FileManager.default.createDirectory(at: config.appendingPathComponent("ytce/themes"), withIntermediateDirectories: true)
        let old = """
            {"name": "mine", "description": "written for ytce before the app roles moved",
             "roles": {"text": {"fg": 252}, "citation": {"fg": 214, "bold": true}, "timestamp": {"fg": 109},
                       "highlight": {"fg": 16, "bg": 221}, "link": {"fg": 81, "underline": true},
                       "border-focused": {"fg": 75}, "status_bar": {"fg": 252, "bg": 236}, "selectionInactive": {"fg": 252, "bg": 237}}}
            """
        try old.write(to: config.appendingPathComponent("ytce/themes/mine.json"), atomically: true, encoding: .utf8)
        let theme = try loader(["HOME": "/nonexistent", "XDG_CONFIG_HOME": config.path]).load("mine")
        XCTAssertEqual(theme[.citation], Style(foreground: .indexed(214), bold: true))
        XCTAssertEqual(theme[.timestamp], Style(foreground: .indexed(109)))
        XCTAssertEqual(theme[.highlight], Style(foreground: .indexed(16), background: .indexed(221)))
        XCTAssertEqual(theme[.borderFocused], Style(foreground: .indexed(75)))
        XCTAssertEqual(theme[.statusBar], Style(foreground: .indexed(252), background: .indexed(236)))
        XCTAssertEqual(theme[.accent], theme[.text], "a role left out takes the text style, as before")
        // A misspelt role is still an error that lists the roles.
        try #"{"name": "typo", "roles": {"text": {}, "citaton": {}}}"#.write(to: config.appendingPathComponent("ytce/themes/typo.json"),
                                                                          atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try loader(["HOME": "/nonexistent", "XDG_CONFIG_HOME": config.path]).load("typo")) { error in
            XCTAssertTrue("\(error)".contains("roles.citaton: unknown role") && "\(error)".contains("citation"), "\(error)")
        }
    }

    /// `$YTCE_THEMES_DIR` first, then the config folder's themes/, then the shipped ones.
    func testSearchOrder() throws {
        let override = try temporaryFolder(), config = try temporaryFolder()
        try FileManager.default.createDirectory(at: config.appendingPathComponent("ytce/themes"), withIntermediateDirectories: true)
        let light = try String(contentsOfFile: Self.themesDir + "/light.json", encoding: .utf8)
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"config-light\"")
            .write(to: config.appendingPathComponent("ytce/themes/light.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try loader(["HOME": "/nonexistent", "XDG_CONFIG_HOME": config.path]).load("light").name, "config-light")
        try light.replacingOccurrences(of: "\"name\": \"light\"", with: "\"name\": \"env-light\"")
            .write(to: override.appendingPathComponent("light.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try loader(["HOME": "/nonexistent", "XDG_CONFIG_HOME": config.path, "YTCE_THEMES_DIR": override.path]).load("light").name,
                       "env-light")
        XCTAssertEqual(try loader(["HOME": "/nonexistent", "YTCE_CONFIG_DIR": config.appendingPathComponent("ytce").path]).load("light").name,
                       "config-light")
    }
}
