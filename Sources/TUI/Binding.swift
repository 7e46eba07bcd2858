/// A key binding: its keys, what it does in words, and the action. One list of these drives key handling, the
/// help screen, the hints line, the command palette and the README's key table, so they cannot drift (as a
/// lazygit controller's `GetKeybindings` does). `Call` carries what the action may read and what it asks for.
public struct Binding<Target, Call>: Sendable {
    public let keys: [Key]
    /// How help writes the keys when their names would be long ("1…5"); nil: the names of `keys`.
    public let keyLabel: String?
    public let description: String
    /// A word or two for the hints line ("opens" gives "Enter opens"); nil: the binding shows only in help.
    public let hint: String?
    /// The command palette's name for it ("open") and what the command takes ("[PATH]").
    public let command: String?
    public let argument: String?
    /// When the binding applies (e.g. only while a line is being edited). Help lists the ones that apply.
    public let isActive: @Sendable (Target) -> Bool
    public let action: @Sendable (inout Target, inout Call) -> Void

    /// The binding as help shows it (made once: hints lines are drawn every frame).
    public let help: KeyHelp

    public init(_ keys: [Key], _ description: String, label: String? = nil, hint: String? = nil,
                command: String? = nil, argument: String? = nil,
                when isActive: @escaping @Sendable (Target) -> Bool = { _ in true },
                _ action: @escaping @Sendable (inout Target, inout Call) -> Void) {
        self.keys = keys
        self.keyLabel = label
        self.description = description
        self.hint = hint
        self.command = command
        self.argument = argument
        self.isActive = isActive
        self.action = action
        help = KeyHelp(keys: label ?? keys.map(\.name).joined(separator: " "), description: description, hint: hint,
                       command: command, argument: argument)
    }

    /// The keys as help writes them.
    public var keysText: String { help.keys }
}

extension Array {
    /// The first binding that applies to `target` and answers `key`.
    public func binding<Target, Call>(for key: Key, in target: Target) -> Binding<Target, Call>?
        where Element == Binding<Target, Call> {
        first { $0.keys.contains(key) && $0.isActive(target) }
    }

    /// The binding the palette names `command` (exact name first, then a unique prefix).
    public func binding<Target, Call>(command name: String) -> Binding<Target, Call>? where Element == Binding<Target, Call> {
        if let exact = first(where: { $0.command == name }) { return exact }
        let prefixed = filter { $0.command?.hasPrefix(name) ?? false }
        return prefixed.count == 1 ? prefixed[0] : nil
    }
}

/// A binding as help, hints and key tables show it.
public struct KeyHelp: Hashable, Sendable {
    public var keys: String
    public var description: String
    public var hint: String?
    public var command: String?
    public var argument: String?

    public init(keys: String, description: String, hint: String? = nil, command: String? = nil, argument: String? = nil) {
        self.keys = keys
        self.description = description
        self.hint = hint
        self.command = command
        self.argument = argument
    }

    /// The palette's usage for a command: "open [PATH]".
    public var usage: String? { command.map { name in argument.map { "\(name) \($0)" } ?? name } }
}

extension Array where Element == KeyHelp {
    /// The hints line: each binding with a hint as "KEY hint", neighbours with the same hint sharing it
    /// ("j/k scroll"), joined by " · ". A command without keys shows as ":ARGUMENT hint".
    public var hintLine: String {
        var parts: [(keys: [String], hint: String)] = []
        for help in self {
            guard let hint = help.hint else { continue }
            let keys = help.keys.isEmpty ? ":" + (help.argument ?? help.command ?? "")
                : String(help.keys[..<(help.keys.firstIndex(of: " ") ?? help.keys.endIndex)])
            if let last = parts.last, last.hint == hint {
                parts[parts.count - 1].keys.append(keys)
            } else {
                parts.append(([keys], hint))
            }
        }
        return parts.map { "\($0.keys.joined(separator: "/")) \($0.hint)" }.joined(separator: " · ")
    }

    /// Two columns, keys then what they do, the keys padded to the widest.
    public func lines(keyStyle: Style, textStyle: Style, keyColumn: Int? = nil) -> [StyledLine] {
        let width = keyColumn ?? (map { DisplayWidth.of($0.keys) }.max() ?? 0)
        return map { help in
            var line = StyledLine(help.keys, style: keyStyle)
            line.append(String(repeating: " ", count: Swift.max(0, width - DisplayWidth.of(help.keys)) + 2), style: textStyle)
            line.append(help.description, style: textStyle)
            return line
        }
    }
}
