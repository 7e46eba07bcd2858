import TUI

/// The `?` overlay: the focused pane's keys, then the keys that work everywhere.
enum HelpText {
    static let global: [(String, String)] = [
        ("Tab / Shift-Tab", "next / previous pane"),
        ("Alt-1 … Alt-5", "Ask, Citations, Transcript, Library, Jobs"),
        ("n / N, Ctrl-N", "next / previous citation, from anywhere"),
        (":", "command palette (open, theme, submit, summarize, search…)"),
        ("Ctrl-O", "open another pack"),
        ("!", "the recent notices and errors, in full"),
        ("? or F1", "this help"),
        ("q, Ctrl-C", "quit (asks only while a job is being submitted)"),
    ]

    static func keys(for model: ExplorerModel) -> [(String, String)] {
        if model.showPicker {
            return [("type", "filter packs, or type a path"), ("↑ / ↓", "choose"), ("Enter", "open"), ("Esc", "clear the filter / back")]
        }
        switch model.focus {
        case .ask:
            return [("Enter", "ask the question"), ("↑ / ↓", "question history (this pack)"),
                    ("←/→ Home/End", "move in the line"), ("Ctrl-A/E/W/U/K", "start, end, delete word, before, after"),
                    ("Alt-B / Alt-F", "word left / right"), ("Esc", "cancel a running answer, else scroll the conversation"),
                    ("PgUp / PgDn", "scroll the conversation"), ("? / : ", "on an empty line: help / palette")]
        case .citations:
            return [("j / k", "choose a citation"), ("Enter", "open the transcript at it"), ("y", "copy its YouTube link (OSC 52)"),
                    ("o", "show the link")]
        case .transcript:
            return [("j / k", "line down / up"), ("PgUp / PgDn", "page"), ("g / G", "top / bottom"), ("/", "search; n / N next / previous match"),
                    (": 12:30", "jump to a time"), ("y", "copy the link to this moment"), ("s", "summarise this video"), ("Esc", "clear the search")]
        case .library:
            return [("j / k", "choose a video"), ("Enter", "open its transcript"), ("s", "send it to be summarised")]
        case .jobs:
            return [("j / k", "choose a job"), ("a", "submit a transcript file"), ("c", "cancel"), ("r", "retry (failed, timed out, given up)"),
                    ("Enter", "show the summary"), ("p", "attach the summary to its pack")]
        }
    }

    static func lines(for model: ExplorerModel, theme: Theme) -> [StyledLine] {
        let base = theme[.overlay]
        func row(_ key: String, _ text: String) -> StyledLine {
            StyledLine(key.padding(toLength: 18, withPad: " ", startingAt: 0), style: theme[.key].over(base)) + StyledLine(text, style: theme[.text].over(base))
        }
        var lines = keys(for: model).map(row)
        lines.append(StyledLine())
        lines.append(StyledLine("Everywhere", style: theme[.heading].over(base)))
        lines += global.map(row)
        return lines
    }
}
