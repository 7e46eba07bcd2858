/// Named UI roles a theme gives a style to. Views ask the theme for a role, never for a colour.
/// In theme files the role names are the raw values (camelCase; `border-focused` and `border_focused` also work).
public enum ThemeRole: String, CaseIterable, Hashable, Sendable, Comparable {
    case text, dim, accent, title, heading
    case border, borderFocused
    case selection, selectionInactive
    case citation, highlight, timestamp, link
    case error, warning, success
    case statusBar, statusBarAccent
    case input, placeholder, cursor
    case overlay, overlayBorder
    case key
    case progress, progressTrack

    public static func < (a: ThemeRole, b: ThemeRole) -> Bool { a.rawValue < b.rawValue }

    /// The role for a name as written in a theme file (case, '-' and '_' ignored).
    public init?(fileName: String) {
        let wanted = ThemeRole.normalize(fileName)
        guard let role = ThemeRole.allCases.first(where: { ThemeRole.normalize($0.rawValue) == wanted }) else { return nil }
        self = role
    }

    static func normalize(_ s: String) -> String {
        String(s.lowercased().filter { $0 != "-" && $0 != "_" })
    }
}

/// A theme: a name and a style for every role.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var styles: [ThemeRole: Style]

    public init(name: String, styles: [ThemeRole: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style of `role`; a role the theme lacks falls back to its `text` style.
    public subscript(role: ThemeRole) -> Style {
        get { styles[role] ?? styles[.text] ?? .plain }
        set { styles[role] = newValue }
    }

    /// The built-in dark theme; identical to themes/default.json (a test checks this), used when no file loads.
    public static let builtinDefault: Theme = {
        func s(_ fg: Int?, _ bg: Int? = nil, bold: Bool = false, underline: Bool = false, reverse: Bool = false) -> Style {
            Style(foreground: fg.map { .indexed(UInt8($0)) } ?? .terminalDefault,
                  background: bg.map { .indexed(UInt8($0)) } ?? .terminalDefault,
                  bold: bold, underline: underline, reverse: reverse)
        }
        return Theme(name: "default", styles: [
            .text: s(252),
            .dim: s(244),
            .accent: s(75, bold: true),
            .title: s(231, bold: true),
            .heading: s(180, bold: true),
            .border: s(240),
            .borderFocused: s(75),
            .selection: s(231, 24),
            .selectionInactive: s(252, 237),
            .citation: s(214, bold: true),
            .highlight: s(16, 221),
            .timestamp: s(109),
            .link: s(81, underline: true),
            .error: s(203, bold: true),
            .warning: s(214),
            .success: s(114),
            .statusBar: s(252, 236),
            .statusBarAccent: s(16, 75, bold: true),
            .input: s(255, 235),
            .placeholder: s(242, 235),
            .cursor: s(nil, reverse: true),
            .overlay: s(252, 235),
            .overlayBorder: s(75, 235),
            .key: s(221, bold: true),
            .progress: s(75),
            .progressTrack: s(238),
        ])
    }()
}
