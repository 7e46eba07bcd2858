import TUI

/// The `:` command palette: a command line for what has no key of its own. Its list is the commands of the
/// bindings that apply (the app's and the focused pane's), so it shows what `Enter` can run.
public struct PalettePopup: Sendable {
    public private(set) var field = TextField()
    /// The commands listed, usage and description.
    let commands: [KeyHelp]
    let placeholder: String

    init(commands: [KeyHelp], placeholder: String) {
        self.commands = commands
        self.placeholder = placeholder
    }

    static let bindings: [Binding<PalettePopup, PopupCall>] = [
        Binding([.tab], "complete the command's name", hint: "completes") { p, _ in
            if let completion = p.completion { p.field = TextField(completion) }
        },
        Binding([.enter], "run the line", hint: "runs") { p, call in
            call.close()
            call.request(.runCommand(p.field.value))
        },
        Binding([.escape], "close", hint: "closes") { _, call in call.close() },
    ]

    /// The hints line, from the bindings.
    static let hints = bindings.map(\.help).hintLine

    mutating func handleKey(_ key: Key, _ call: inout PopupCall) {
        if let binding = Self.bindings.binding(for: key, in: self) { binding.action(&self, &call) } else { field.handle(key) }
    }

    /// The command the typed word starts, when only one does.
    var completion: String? {
        let text = field.value
        let word = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        guard !word.isEmpty, !text.contains(" ") else { return nil }
        let candidates = commands.compactMap(\.command).filter { $0.hasPrefix(word) }
        return candidates.count == 1 ? candidates[0] + " " : nil
    }

    func view(_ context: PopupContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let box = Overlay.centered(width: min(context.screen.width - 4, 76), height: min(context.screen.height - 2, commands.count + 4),
                                   in: context.screen)
        let inner = PopupFrame.draw(title: "Command", hint: Self.hints, box, theme, &buffer)
        buffer.put(":", x: inner.x, y: inner.y, style: theme[.accent])
        field.render(into: &buffer, area: Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: 1), style: theme[.input],
                     focused: true, placeholder: placeholder, placeholderStyle: theme[.placeholder])
        let word = field.value.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        let matching = commands.filter { help in
            guard let name = help.command else { return false }
            return word.isEmpty || name.hasPrefix(word) || word.hasPrefix(name)
        }
        // The usage column is as wide as the longest usage, so a name never runs into its description.
        let usageWidth = commands.compactMap(\.usage).map { DisplayWidth.of($0) }.max() ?? 0
        for (i, command) in matching.enumerated() where inner.y + 2 + i < inner.maxY {
            let usage = command.usage ?? ""
            var line = StyledLine(usage, style: theme[.key].over(theme[.overlay]))
            line.append(String(repeating: " ", count: usageWidth - DisplayWidth.of(usage) + 2), style: theme[.overlay])
            line.append(command.description, style: theme[.dim].over(theme[.overlay]))
            buffer.draw(line.truncated(to: inner.width), x: inner.x, y: inner.y + 2 + i, maxWidth: inner.width)
        }
    }
}
