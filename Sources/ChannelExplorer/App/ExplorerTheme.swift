import Foundation
import PackKit
import TUI

extension ThemeRole {
    /// Citation markers `[n]` and search matches.
    public static let citation = ThemeRole("citation")
    /// Cited segments in the transcript, the question's words in snippets.
    public static let highlight = ThemeRole("highlight")
    public static let timestamp = ThemeRole("timestamp")
    public static let link = ThemeRole("link")
}

/// ytce's roles on top of the framework's, its built-in theme, and where its theme files are. Theme files keep
/// the one flat `roles` object they always had, so every theme written before the roles were split still loads.
public enum ExplorerTheme {
    /// The roles only ytce's panes use.
    static let appRoles: [ThemeRole] = [.citation, .highlight, .timestamp, .link]
    /// Every role a ytce theme may style.
    public static let roles: [ThemeRole] = ThemeRole.framework + appRoles

    /// The built-in dark theme; identical to themes/default.json (a test checks this), used when no file loads.
    public static let builtinDefault: Theme = {
        func s(_ fg: UInt8, _ bg: UInt8? = nil, bold: Bool = false, underline: Bool = false) -> Style {
            Style(foreground: .indexed(fg), background: bg.map { .indexed($0) } ?? .terminalDefault, bold: bold, underline: underline)
        }
        return Theme.builtinDefault.adding([
            .citation: s(214, bold: true),
            .highlight: s(16, 221),
            .timestamp: s(109),
            .link: s(81, underline: true),
        ])
    }()

    /// The loader for ytce's themes: `$YTCE_THEMES_DIR`, the config folder's `themes/`, then the shipped `themes/`.
    public static func loader(paths: AppPaths, executablePath: String? = CommandLine.arguments.first,
                              currentDirectory: String = FileManager.default.currentDirectoryPath) -> ThemeLoader {
        ThemeLoader(directories: paths.themeDirectories, roles: roles, fallback: builtinDefault,
                    executablePath: executablePath, currentDirectory: currentDirectory)
    }
}
