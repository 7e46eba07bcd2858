import Foundation
import JSONKit

/// Why a theme could not be loaded. The description names the file and, for content errors, the field or line.
public enum ThemeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No file for a theme name; `searched` lists the folders looked in.
    case notFound(name: String, searched: [String])
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON.
    case syntax(file: String, line: Int, message: String)
    /// A field has a bad value or is unknown; `field` is a path like `roles.accent.fg`.
    case invalidField(file: String, field: String, message: String)

    public var description: String {
        switch self {
        case let .notFound(name, searched):
            return "theme \"\(name)\" not found (looked in: \(searched.isEmpty ? "nowhere" : searched.joined(separator: ", ")))"
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .syntax(file, line, message):
            return "\(file): line \(line): \(message)"
        case let .invalidField(file, field, message):
            return "\(file): \(field): \(message)"
        }
    }
}

/// Reads theme files: `{"name": "...", "roles": {"text": {"fg": 252, "bg": "default", "bold": false}, ...}}`.
/// Colours are 0-255, one of the 16 ANSI names (`red`, `bright-blue`, `gray`...), or `"default"`; style flags are
/// `bold`, `dim`, `underline`, `reverse`, `italic`. Roles a file leaves out take the file's `text` style.
/// Where to look and which roles exist are the app's to say; the framework only walks up to shipped `themes/`.
public struct ThemeLoader: Sendable {
    /// Folders searched for `NAME.json` first, in order (e.g. the user's themes).
    public var directories: [String]
    /// The roles a theme may style (a misspelt one is an error); nil accepts any name.
    public var roles: [ThemeRole]?
    /// The theme "default" stands for when no file of that name exists, and the fallback of `loadOrDefault`.
    public var fallback: Theme
    public var executablePath: String?
    public var currentDirectory: String

    public init(directories: [String] = [], roles: [ThemeRole]? = nil, fallback: Theme = .builtinDefault,
                executablePath: String? = CommandLine.arguments.first,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.directories = directories
        self.roles = roles
        self.fallback = fallback
        self.executablePath = executablePath
        self.currentDirectory = currentDirectory
    }

    // MARK: Search

    /// The folders searched for `NAME.json`, in order: `directories`, then `themes/` found by walking up from the
    /// executable's folder and from the current directory (the shipped themes).
    public func searchDirectories() -> [String] {
        var dirs = directories.filter { !$0.isEmpty }
        if let exe = resolvedExecutableDirectory() {
            dirs.append(contentsOf: walkUpForThemes(from: exe))
        }
        dirs.append(contentsOf: walkUpForThemes(from: absolute(currentDirectory)))
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (currentDirectory as NSString).appendingPathComponent(path)
    }

    private func resolvedExecutableDirectory() -> String? {
        guard var exe = executablePath, !exe.isEmpty else { return nil }
        if !exe.contains("/") {
            // Invoked through $PATH.
            let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
            guard let found = path.split(separator: ":").map({ String($0) + "/" + exe })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
            exe = found
        }
        let resolved = URL(fileURLWithPath: absolute(exe)).resolvingSymlinksInPath()
        return resolved.deletingLastPathComponent().path
    }

    /// `themes/` (and `share/ytce/themes/`) folders in `start` and its ancestors, nearest first.
    private func walkUpForThemes(from start: String) -> [String] {
        var out: [String] = []
        var dir = URL(fileURLWithPath: start).standardizedFileURL
        var isDir: ObjCBool = false
        for _ in 0..<32 {
            for candidate in ["themes", "share/ytce/themes"] {
                let p = dir.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { out.append(p) }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return out
    }

    /// Whether `nameOrPath` is a file path rather than a theme name.
    static func isPath(_ s: String) -> Bool {
        s.contains("/") || s.hasSuffix(".json")
    }

    /// The file a theme name or path refers to.
    public func locate(_ nameOrPath: String) throws(ThemeError) -> String {
        if ThemeLoader.isPath(nameOrPath) {
            let p = absolute(nameOrPath)
            guard FileManager.default.fileExists(atPath: p) else {
                throw .unreadable(file: nameOrPath, reason: "no such file")
            }
            return nameOrPath
        }
        let dirs = searchDirectories()
        for d in dirs {
            let p = d + "/" + nameOrPath + ".json"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        throw .notFound(name: nameOrPath, searched: dirs)
    }

    /// Loads a theme by name (searched as above) or by path. "default" with no file gives `fallback`.
    public func load(_ nameOrPath: String) throws(ThemeError) -> Theme {
        let file: String
        do {
            file = try locate(nameOrPath)
        } catch {
            if nameOrPath == "default", case .notFound = error { return fallback }
            throw error
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: absolute(file)))
        } catch {
            throw .unreadable(file: file, reason: error.localizedDescription)
        }
        return try ThemeLoader.parse(data, file: file, roles: roles)
    }

    /// Loads a theme, falling back to `fallback`; the error (if any) is returned for the status bar.
    public func loadOrDefault(_ nameOrPath: String) -> (theme: Theme, error: ThemeError?) {
        do {
            return (try load(nameOrPath), nil)
        } catch {
            return (fallback, error)
        }
    }

    /// The names of the themes found in the search folders (plus "default"), sorted.
    public func availableThemes() -> [String] {
        var names: Set<String> = ["default"]
        for d in searchDirectories() {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: d) else { continue }
            for e in entries where e.hasSuffix(".json") { names.insert(String(e.dropLast(5))) }
        }
        return names.sorted()
    }

    // MARK: Parsing

    /// Parses a theme file's bytes (UTF-8); `file` is used in error messages.
    public static func parse(_ data: Data, file: String, roles: [ThemeRole]? = nil) throws(ThemeError) -> Theme {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: file, reason: "not UTF-8 text")
        }
        return try parse(text, file: file, roles: roles)
    }

    /// Parses a theme file's text; `file` is used in error messages. With `roles`, a role not among them is an
    /// error naming the known ones; without, any name is taken.
    public static func parse(_ text: String, file: String, roles: [ThemeRole]? = nil) throws(ThemeError) -> Theme {
        let root: JSONValue
        do {
            root = try JSONValue.parse(Data(text.utf8))
        } catch {
            throw .syntax(file: file, line: error.line, message: error.message)
        }
        guard case let .object(members) = root else {
            throw .invalidField(file: file, field: "(top level)", message: "expected an object with \"name\" and \"roles\"")
        }
        let known = roles
        var name: String?
        var styles: [ThemeRole: Style] = [:]
        var sawRoles = false
        // Sorted, so that a file with several problems always reports the same one first.
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "name":
                guard case let .string(s) = value, !s.isEmpty else {
                    throw .invalidField(file: file, field: "name", message: "expected a non-empty string")
                }
                name = s
            case "roles":
                sawRoles = true
                guard case let .object(roleValues) = value else {
                    throw .invalidField(file: file, field: "roles", message: "expected an object of role styles")
                }
                for (roleName, styleValue) in roleValues.sorted(by: { $0.key < $1.key }) {
                    let named = ThemeRole(roleName)
                    let role: ThemeRole
                    if let known {
                        guard let found = known.first(where: { $0 == named }) else {
                            throw .invalidField(file: file, field: "roles.\(roleName)",
                                                message: "unknown role (known: \(known.map(\.name).sorted().joined(separator: ", ")))")
                        }
                        role = found
                    } else {
                        role = named
                    }
                    styles[role] = try parseStyle(styleValue, field: "roles.\(roleName)", file: file)
                }
            case "description", "comment", "$schema":
                continue
            default:
                throw .invalidField(file: file, field: key, message: "unknown field (expected \"name\" and \"roles\")")
            }
        }
        guard let name else { throw .invalidField(file: file, field: "name", message: "missing") }
        guard sawRoles else { throw .invalidField(file: file, field: "roles", message: "missing") }
        guard styles[.text] != nil else { throw .invalidField(file: file, field: "roles.text", message: "missing") }
        return Theme(name: name, styles: styles)
    }

    static func parseStyle(_ value: JSONValue, field: String, file: String) throws(ThemeError) -> Style {
        guard case let .object(members) = value else {
            throw .invalidField(file: file, field: field, message: "expected an object like {\"fg\": 252, \"bold\": true}")
        }
        var style = Style()
        for (key, v) in members.sorted(by: { $0.key < $1.key }) {
            let f = "\(field).\(key)"
            func flag() throws(ThemeError) -> Bool {
                guard case let .bool(b) = v else { throw .invalidField(file: file, field: f, message: "expected true or false") }
                return b
            }
            switch key {
            case "fg", "foreground": style.foreground = try parseColor(v, field: f, file: file)
            case "bg", "background": style.background = try parseColor(v, field: f, file: file)
            case "bold": style.bold = try flag()
            case "dim": style.dim = try flag()
            case "underline": style.underline = try flag()
            case "reverse": style.reverse = try flag()
            case "italic": style.italic = try flag()
            default:
                throw .invalidField(file: file, field: f, message: "unknown field (expected fg, bg, bold, dim, underline, reverse, italic)")
            }
        }
        return style
    }

    static let colorNames: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    static func parseColor(_ value: JSONValue, field: String, file: String) throws(ThemeError) -> Color {
        let hint = "is not a colour (0-255, a colour name, or \"default\")"
        switch value {
        case let .number(d):
            guard d >= 0, d <= 255, d == d.rounded() else {
                let shown = d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
                throw .invalidField(file: file, field: field, message: "\(shown) \(hint)")
            }
            return .indexed(UInt8(d))
        case let .string(s):
            let key = s.lowercased().replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
            if key == "default" || key == "none" { return .terminalDefault }
            if let n = colorNames[key] { return .indexed(n) }
            if key.hasPrefix("bright"), !key.hasPrefix("bright-"), let n = colorNames["bright-" + key.dropFirst(6)] {
                return .indexed(n)
            }
            throw .invalidField(file: file, field: field, message: "\"\(s)\" \(hint)")
        case .null:
            return .terminalDefault
        default:
            throw .invalidField(file: file, field: field, message: "expected a number or a string: \(hint)")
        }
    }
}
