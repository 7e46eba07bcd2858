import TUI

/// Help, generated from the bindings: the `?` popup for what has the keyboard, and the whole reference (the
/// README's key table, `ytce keys`). Nothing here names a key by hand.
public enum KeyReference {
    public struct Section: Equatable, Sendable {
        public var title: String
        public var keys: [KeyHelp]
    }

    /// "Outside a text field (`?` and `:` also on an empty line)", the keys read from the bindings.
    static let outsideTitle = "Outside a text field ("
        + GlobalBindings.onEmptyLine.map { "`\($0.keysText)`" }.joined(separator: " and ") + " also on an empty line)"

    /// The help popup's sections: the keys of what has the keyboard now (those that apply), the line-editing keys
    /// while typing, the app's keys, and the palette's commands.
    static func help(for model: ExplorerModel) -> [Section] {
        var sections: [Section] = []
        if model.showPicker {
            sections.append(Section(title: PickerPane.title, keys: model.picker.activeHelp.filter { !$0.keys.isEmpty }))
        } else if let pane = model.panes[model.focus] {
            sections.append(Section(title: type(of: pane).title, keys: pane.activeHelp.filter { !$0.keys.isEmpty }))
        }
        if model.typing.editing { sections.append(Section(title: "Editing the line", keys: TextField.editingHelp)) }
        sections.append(Section(title: "Everywhere", keys: GlobalBindings.everywhere.filter { $0.isActive(model) }.map(\.help)))
        sections.append(Section(title: outsideTitle,
                                keys: (GlobalBindings.onEmptyLine + GlobalBindings.outsideText).filter { $0.isActive(model) }.map(\.help)))
        sections.append(Section(title: "Commands (`:`)", keys: commands(for: model)))
        return sections
    }

    /// The palette's commands for what has the keyboard: the app's, then the focused pane's.
    static func commands(for model: ExplorerModel) -> [KeyHelp] {
        var list = GlobalBindings.all.filter { $0.command != nil && $0.isActive(model) }.map(\.help)
        if !model.showPicker, let pane = model.panes[model.focus] {
            list += pane.activeHelp.filter { $0.command != nil }
        }
        return list
    }

    /// Every key and command, whatever the state: what the README's key table lists.
    public static var reference: [Section] {
        var sections = [
            Section(title: "Everywhere", keys: GlobalBindings.everywhere.map(\.help)),
            Section(title: outsideTitle, keys: (GlobalBindings.onEmptyLine + GlobalBindings.outsideText).map(\.help)),
            Section(title: PickerPane.title, keys: PickerPane.bindings.map(\.help)),
        ]
        for pane in PaneList.tabs { sections.append(Section(title: pane.title, keys: pane.helpList)) }
        sections.append(Section(title: "Editing a line (questions, the picker's filter, prompts)", keys: TextField.editingHelp))
        sections.append(Section(title: "Text popups (help, messages, summaries)", keys: TextPopup.bindings.map(\.help)))
        sections.append(Section(title: "The palette", keys: PalettePopup.bindings.map(\.help)))
        sections.append(Section(title: "Prompts", keys: PromptPopup.bindings.map(\.help)))
        sections.append(Section(title: "The quit question", keys: QuitPopup.bindings.map(\.help)))
        let paneCommands = PaneList.tabs.flatMap { $0.helpList.filter { $0.command != nil } }
        sections.append(Section(title: "Commands (`:`)", keys: GlobalBindings.all.map(\.help).filter { $0.command != nil } + paneCommands))
        // Commands without keys are listed once, under Commands.
        return sections.map { section in
            section.title.hasPrefix("Commands") ? section : Section(title: section.title, keys: section.keys.filter { !$0.keys.isEmpty })
        }
    }

    /// The reference as the README's Markdown table.
    public static var markdown: String {
        var out = "| Where | Keys |\n|---|---|\n"
        for section in reference {
            let cells = section.keys.map { help -> String in
                if section.title.hasPrefix("Commands") { return "`\(help.usage ?? help.keys)` \(help.description)" }
                let keys = help.keys.split(separator: " ").map { "`\($0)`" }.joined(separator: "/")
                return "\(keys) \(help.description)"
            }
            // A '|' inside a cell would end it.
            out += "| \(section.title) | \(cells.joined(separator: " · ").replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        return out
    }

    /// The reference as plain text: a heading per section, then keys and what they do.
    public static var text: String {
        reference.map { section in
            let width = section.keys.map { DisplayWidth.of(label($0, in: section)) }.max() ?? 0
            let rows = section.keys.map { help in
                let keys = label(help, in: section)
                return "  " + keys + String(repeating: " ", count: width - DisplayWidth.of(keys) + 2) + help.description
            }
            return ([section.title.replacingOccurrences(of: "`", with: "")] + rows).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    static func label(_ help: KeyHelp, in section: Section) -> String {
        section.title.hasPrefix("Commands") ? ":" + (help.usage ?? help.keys) : help.keys
    }

    /// Sections as popup lines: headings, then keys and descriptions in two columns (aligned within a section); a
    /// description longer than `width` allows wraps under itself.
    static func lines(_ sections: [Section], theme: Theme, width: Int = .max) -> [StyledLine] {
        let base = theme[.overlay]
        var lines: [StyledLine] = []
        for section in sections where !section.keys.isEmpty {
            if !lines.isEmpty { lines.append(StyledLine()) }
            lines.append(StyledLine(section.title.replacingOccurrences(of: "`", with: ""), style: theme[.heading].over(base)))
            let keyColumn = section.keys.map { DisplayWidth.of(label($0, in: section)) }.max() ?? 0
            let room = max(10, width == .max ? .max : width - keyColumn - 2)
            for help in section.keys {
                let keys = label(help, in: section)
                let description = StyledLine(help.description, style: theme[.text].over(base)).wrapped(width: room)
                for (i, part) in description.enumerated() {
                    var line = StyledLine(i == 0 ? keys : "", style: theme[.key].over(base))
                    line.append(String(repeating: " ", count: keyColumn - (i == 0 ? DisplayWidth.of(keys) : 0) + 2), style: base)
                    line.append(part)
                    lines.append(line)
                }
            }
        }
        return lines
    }
}

extension Pane {
    /// Every binding of the pane as help (whatever state it is in).
    static var helpList: [KeyHelp] { bindings.map(\.help) }
}
