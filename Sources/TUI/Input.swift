/// A key as the application sees it, decoded from ncurses key codes and escape sequences.
public enum Key: Hashable, Sendable {
    /// A printable character (already combined from UTF-8 bytes).
    case character(Character)
    /// Control plus a letter, lower-case (`.control("a")` is Ctrl-A). Enter, Tab, Backspace and Escape have own cases.
    case control(Character)
    /// Alt (Meta) plus a character, e.g. `.alt("b")`, `.alt("1")`.
    case alt(Character)
    case enter, escape, tab, backTab, backspace, delete, insert
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
}

public enum MouseButton: Hashable, Sendable {
    case left, middle, right, wheelUp, wheelDown
}

/// A mouse event at a cell (x, y from 0 at the top left).
public struct MouseEvent: Hashable, Sendable {
    public var button: MouseButton
    public var x: Int
    public var y: Int
    public init(button: MouseButton, x: Int, y: Int) {
        self.button = button
        self.x = x
        self.y = y
    }
}

/// What the terminal reports.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
}
