import Foundation
import TUI

/// Help, the command palette, prompts, the quit question and text documents, drawn over the screen.
enum PopupView {
    static func draw(_ overlay: Popup, _ model: ExplorerModel, _ buffer: inout CellBuffer) {
        let theme = model.theme
        switch overlay {
        case .help:
            let lines = HelpText.lines(for: model, theme: theme)
            let box = centered(width: min(buffer.width - 4, 76), height: min(buffer.height - 2, lines.count + 2), in: buffer.area)
            let inner = panel(title: "Keys · \(model.showPicker ? "pack picker" : model.focus.title)", hint: "any key closes", box, theme, &buffer)
            buffer.draw(Array(lines.prefix(inner.height)), in: inner)
        case .palette(let field):
            let box = centered(width: min(buffer.width - 4, 70), height: min(buffer.height - 2, PaletteCommands.all.count + 4), in: buffer.area)
            let inner = panel(title: "Command", hint: "Tab completes · Enter runs · Esc", box, theme, &buffer)
            buffer.put(":", x: inner.x, y: inner.y, style: theme[.accent])
            field.render(into: &buffer, area: Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: 1), style: theme[.input],
                         focused: true, placeholder: model.focus == .transcript ? "a command, or a time like 12:30" : "a command",
                         placeholderStyle: theme[.placeholder])
            let word = field.value.split(separator: " ").first.map { String($0).lowercased() } ?? ""
            let matching = PaletteCommands.all.filter { word.isEmpty || $0.name.hasPrefix(word) || word.hasPrefix($0.name) }
            // The usage column is as wide as the longest usage, so a name never runs into its description.
            let usageWidth = PaletteCommands.all.map { DisplayWidth.of($0.usage) }.max() ?? 0
            for (i, command) in matching.enumerated() where inner.y + 2 + i < inner.maxY {
                let gap = String(repeating: " ", count: usageWidth - DisplayWidth.of(command.usage) + 2)
                var line = StyledLine(command.usage, style: theme[.key].over(theme[.overlay]))
                line.append(gap, style: theme[.overlay])
                line.append(command.help, style: theme[.dim].over(theme[.overlay]))
                buffer.draw(line.truncated(to: inner.width), x: inner.x, y: inner.y + 2 + i, maxWidth: inner.width)
            }
        case .prompt(let title, let field, _):
            let box = centered(width: min(buffer.width - 4, 70), height: 3, in: buffer.area)
            let inner = panel(title: title, hint: "Enter · Esc", box, theme, &buffer)
            field.render(into: &buffer, area: inner, style: theme[.input], focused: true)
        case .confirmQuit:
            let box = centered(width: min(buffer.width - 4, 60), height: 6, in: buffer.area)
            let inner = panel(title: "Quit?", hint: nil, box, theme, &buffer)
            buffer.draw(StyledLine("A job submission is being sent; quitting now may leave it unknown.", style: theme[.warning].over(theme[.overlay])).wrapped(width: inner.width)
                        + [StyledLine("Quit anyway? y / n", style: theme[.text].over(theme[.overlay]).with(bold: true))], in: inner)
        case .messages(let scroll):
            let box = centered(width: buffer.width - 6, height: buffer.height - 4, in: buffer.area)
            let inner = panel(title: "Messages", hint: "newest first · j/k PgUp/PgDn · Esc closes", box, theme, &buffer)
            let rows = messageRows(model, screenWidth: buffer.width, screenHeight: buffer.height).rows
            let first = min(scroll, max(0, rows.count - inner.height))
            buffer.draw(Array(rows.dropFirst(first).prefix(inner.height)), in: inner)
        case .document(let title, let text, let scroll):
            let box = centered(width: buffer.width - 6, height: buffer.height - 4, in: buffer.area)
            let inner = panel(title: title, hint: "j/k PgUp/PgDn · Esc closes", box, theme, &buffer)
            let rows = documentRows(text, screenWidth: buffer.width, screenHeight: buffer.height, theme: theme).rows
            let first = min(scroll, max(0, rows.count - inner.height))
            buffer.draw(Array(rows.dropFirst(first).prefix(inner.height)), in: inner)
        }
    }

    static func centered(width: Int, height: Int, in area: Rect) -> Rect { Overlay.centered(width: width, height: height, in: area) }

    static func panel(title: String, hint: String?, _ box: Rect, _ theme: Theme, _ buffer: inout CellBuffer) -> Rect {
        Overlay.frame(into: &buffer, rect: box, title: title, theme: theme, rightTitle: hint)
    }

    /// The messages popup's rows at its width (newest first, errors in the error style), and how many fit.
    static func messageRows(_ model: ExplorerModel, screenWidth: Int, screenHeight: Int) -> (rows: [StyledLine], visible: Int) {
        let theme = model.theme
        let box = centered(width: screenWidth - 6, height: screenHeight - 4, in: Rect(x: 0, y: 0, width: screenWidth, height: screenHeight))
        let inner = box.inset(1)
        let base = theme[.overlay]
        guard !model.status.log.isEmpty else {
            return ([StyledLine("No messages yet.", style: theme[.dim].over(base))], max(1, inner.height))
        }
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm:ss"
        var rows: [StyledLine] = []
        for message in model.status.log.reversed() {
            var line = StyledLine(clock.string(from: Date(timeIntervalSince1970: message.at)) + "  ", style: theme[.dim].over(base))
            line.append(message.kind == .error ? "error: " + message.text : message.text,
                        style: (message.kind == .error ? theme[.error] : theme[.text]).over(base))
            rows += line.wrapped(width: max(1, inner.width))
        }
        return (rows, max(1, inner.height))
    }

    /// The rows of a document popup's text at the popup's width, and how many fit.
    static func documentRows(_ text: String, screenWidth: Int, screenHeight: Int, theme: Theme) -> (rows: [StyledLine], visible: Int) {
        let box = centered(width: screenWidth - 6, height: screenHeight - 4, in: Rect(x: 0, y: 0, width: screenWidth, height: screenHeight))
        let inner = box.inset(1)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false)
            .flatMap { StyledLine(String($0), style: theme[.text].over(theme[.overlay])).wrapped(width: max(1, inner.width)) }
        return (rows, max(1, inner.height))
    }
}
