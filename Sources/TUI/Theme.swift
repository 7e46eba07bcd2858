/// A named UI role a theme gives a style to. Views ask the theme for a role, never for a colour.
/// The framework names the roles its widgets draw with; an app adds its own
/// (`extension ThemeRole { static let citation = ThemeRole("citation") }`) and tells the loader which roles exist.
/// Names compare ignoring case, '-' and '_', so theme files may write `border-focused` or `border_focused`.
public struct ThemeRole: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The name as documented (camelCase).
    public let name: String
    /// The name without case, '-' and '_': what identifies the role.
    let key: String
    /// `key`'s hash, worked out once: views look roles up many times a frame.
    private let keyHash: Int

    public init(_ name: String) {
        self.name = name
        key = ThemeRole.normalize(name)
        keyHash = key.hashValue
    }

    public var description: String { name }

    public static func == (a: ThemeRole, b: ThemeRole) -> Bool { a.keyHash == b.keyHash && a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(keyHash) }
    public static func < (a: ThemeRole, b: ThemeRole) -> Bool { a.name < b.name }

    static func normalize(_ s: String) -> String {
        String(s.lowercased().filter { $0 != "-" && $0 != "_" })
    }
}

extension ThemeRole {
    public static let text = ThemeRole("text")
    public static let dim = ThemeRole("dim")
    public static let accent = ThemeRole("accent")
    public static let title = ThemeRole("title")
    public static let heading = ThemeRole("heading")
    public static let border = ThemeRole("border")
    public static let borderFocused = ThemeRole("borderFocused")
    public static let selection = ThemeRole("selection")
    public static let selectionInactive = ThemeRole("selectionInactive")
    public static let error = ThemeRole("error")
    public static let warning = ThemeRole("warning")
    public static let success = ThemeRole("success")
    public static let statusBar = ThemeRole("statusBar")
    public static let statusBarAccent = ThemeRole("statusBarAccent")
    public static let input = ThemeRole("input")
    public static let placeholder = ThemeRole("placeholder")
    public static let cursor = ThemeRole("cursor")
    public static let overlay = ThemeRole("overlay")
    public static let overlayBorder = ThemeRole("overlayBorder")
    public static let key = ThemeRole("key")
    public static let progress = ThemeRole("progress")
    public static let progressTrack = ThemeRole("progressTrack")

    /// The roles the framework's widgets use.
    public static let framework: [ThemeRole] = [
        .text, .dim, .accent, .title, .heading, .border, .borderFocused, .selection, .selectionInactive,
        .error, .warning, .success, .statusBar, .statusBarAccent, .input, .placeholder, .cursor,
        .overlay, .overlayBorder, .key, .progress, .progressTrack,
    ]
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

    /// This theme with `other`'s styles added where it has none (e.g. an app's roles over the framework default).
    public func adding(_ other: [ThemeRole: Style]) -> Theme {
        Theme(name: name, styles: styles.merging(other) { mine, _ in mine })
    }

    /// The framework's dark theme for its own roles, used when no theme file loads.
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
