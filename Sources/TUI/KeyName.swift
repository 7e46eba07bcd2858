extension Key {
    /// The key as help writes it: `j`, `Enter`, `Ctrl-O`, `Alt-1`, `↑`, `PgDn`, `F1`, `Space`.
    public var name: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-" + String(c).uppercased()
        case .alt("\u{7F}"): return "Alt-Backspace"
        case .alt(let c): return "Alt-" + (c.isLetter ? String(c).uppercased() : String(c))
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Delete"
        case .insert: return "Insert"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .function(let n): return "F\(n)"
        }
    }
}
