/// A one-line text editor as a value: the app keeps it in its model and feeds it keys.
/// Printable characters insert; the editing keys are `editingKeys` (readline's). Positions are grapheme indices;
/// wide graphemes take two columns.
public struct TextField: Hashable, Sendable {
    private var characters: [Character]
    /// The cursor, as an index into the graphemes (0...count).
    public private(set) var cursor: Int
    /// The first display column shown; kept so that the cursor stays visible (see `viewWidth`).
    public private(set) var scrollColumn: Int
    /// The width of the field when last laid out; when set, editing keeps `scrollColumn` so the cursor is visible
    /// without jumping. When 0, rendering computes a scroll that shows the cursor.
    public var viewWidth: Int {
        didSet { adjustScroll() }
    }
    /// Longest value accepted (in graphemes); nil for no limit.
    public var maxLength: Int?

    public init(_ value: String = "", viewWidth: Int = 0, maxLength: Int? = nil) {
        self.characters = Array(value)
        self.cursor = characters.count
        self.scrollColumn = 0
        self.viewWidth = viewWidth
        self.maxLength = maxLength
        adjustScroll()
    }

    public var value: String {
        get { String(characters) }
        set {
            characters = Array(newValue)
            cursor = characters.count
            adjustScroll()
        }
    }

    public var isEmpty: Bool { characters.isEmpty }

    /// Replaces the value and puts the cursor at the end (e.g. when recalling history).
    public mutating func setValue(_ value: String) { self.value = value }

    public mutating func clear() { value = "" }

    /// Moves the cursor to a grapheme index (clamped).
    public mutating func moveCursor(to index: Int) {
        cursor = min(max(0, index), characters.count)
        adjustScroll()
    }

    /// The display column of the cursor within the whole text.
    public var cursorColumn: Int { columns(0, cursor) }

    /// What an editing key does.
    public enum Edit: Hashable, Sendable {
        case left, right, start, end, wordLeft, wordRight
        case deleteBefore, deleteAfter, deleteWordBefore, deleteWordAfter, deleteToStart, deleteToEnd
    }

    /// The editing keys and what they do, in the order help lists them: the one table `handle` reads, so help
    /// generated from it cannot drift from what the keys do. Printable characters are typed.
    public static let editingKeys: [(keys: [Key], edit: Edit, description: String)] = [
        ([.left, .control("b")], .left, "move left"),
        ([.right, .control("f")], .right, "move right"),
        ([.home, .control("a")], .start, "to the start of the line"),
        ([.end, .control("e")], .end, "to the end of the line"),
        ([.alt("b"), .alt("B")], .wordLeft, "a word left"),
        ([.alt("f"), .alt("F")], .wordRight, "a word right"),
        ([.backspace, .control("h")], .deleteBefore, "delete before the cursor"),
        ([.delete, .control("d")], .deleteAfter, "delete under the cursor"),
        ([.control("w"), .alt("\u{7F}")], .deleteWordBefore, "delete the word before"),
        ([.alt("d"), .alt("D")], .deleteWordAfter, "delete the word after"),
        ([.control("u")], .deleteToStart, "delete to the start of the line"),
        ([.control("k")], .deleteToEnd, "delete to the end of the line"),
    ]

    private static let editByKey: [Key: Edit] = {
        var table: [Key: Edit] = [:]
        for entry in editingKeys { for key in entry.keys where table[key] == nil { table[key] = entry.edit } }
        return table
    }()

    /// The editing keys as help shows them (upper-case Alt variants left out: they do the same).
    public static var editingHelp: [KeyHelp] {
        editingKeys.map { entry in
            let keys = entry.keys.filter { if case .alt(let c) = $0 { return !c.isUppercase }; return true }
            return KeyHelp(keys: keys.map(\.name).joined(separator: " "), description: entry.description)
        }
    }

    /// Whether `key` edits the field (typing or an editing key); Enter, Tab, ↑/↓, Esc... do not.
    public static func edits(_ key: Key) -> Bool {
        if case .character = key { return true }
        return editByKey[key] != nil
    }

    /// Applies an editing key. Returns false for keys the field does not handle (Enter, Tab, ↑/↓, Esc...),
    /// so the caller can act on them.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        if case .character(let c) = key {
            insert(c)
            adjustScroll()
            return true
        }
        guard let edit = TextField.editByKey[key] else { return false }
        apply(edit)
        adjustScroll()
        return true
    }

    private mutating func apply(_ edit: Edit) {
        switch edit {
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .start: cursor = 0
        case .end: cursor = characters.count
        case .wordLeft: cursor = wordStart(before: cursor)
        case .wordRight: cursor = wordEnd(after: cursor)
        case .deleteBefore:
            guard cursor > 0 else { return }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .deleteAfter:
            guard cursor < characters.count else { return }
            characters.remove(at: cursor)
        case .deleteWordBefore:
            let start = wordStart(before: cursor)
            characters.removeSubrange(start..<cursor)
            cursor = start
        case .deleteWordAfter:
            let end = wordEnd(after: cursor)
            characters.removeSubrange(cursor..<end)
        case .deleteToStart:
            characters.removeSubrange(0..<cursor)
            cursor = 0
        case .deleteToEnd:
            characters.removeSubrange(cursor..<characters.count)
        }
    }

    /// Inserts text at the cursor (e.g. a paste); newlines become spaces, other controls are dropped.
    public mutating func insert(_ text: String) {
        for c in text { insert(c) }
        adjustScroll()
    }

    private mutating func insert(_ c: Character) {
        let ch: Character = (c == "\n" || c == "\r" || c == "\r\n" || c == "\t") ? " " : c
        guard DisplayWidth.of(ch) > 0 else { return }
        if let maxLength, characters.count >= maxLength { return }
        characters.insert(ch, at: cursor)
        cursor += 1
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// Start of the word before `i` (skipping separators first), like readline's backward-word.
    private func wordStart(before i: Int) -> Int {
        var j = i
        while j > 0, !TextField.isWordCharacter(characters[j - 1]) { j -= 1 }
        while j > 0, TextField.isWordCharacter(characters[j - 1]) { j -= 1 }
        return j
    }

    /// End of the word after `i`, like readline's forward-word.
    private func wordEnd(after i: Int) -> Int {
        var j = i
        while j < characters.count, !TextField.isWordCharacter(characters[j]) { j += 1 }
        while j < characters.count, TextField.isWordCharacter(characters[j]) { j += 1 }
        return j
    }

    private func columns(_ from: Int, _ to: Int) -> Int {
        guard from < to else { return 0 }
        return characters[from..<to].reduce(0) { $0 + DisplayWidth.of($1) }
    }

    private mutating func adjustScroll() {
        guard viewWidth > 0 else { scrollColumn = 0; return }
        scrollColumn = TextField.scroll(from: scrollColumn, cursorColumn: cursorColumn,
                                        totalColumns: columns(0, characters.count), width: viewWidth)
    }

    /// The smallest change to `scroll` that keeps the cursor (one column, at the end possibly after the text) in view.
    static func scroll(from scroll: Int, cursorColumn: Int, totalColumns: Int, width: Int) -> Int {
        guard width > 0 else { return 0 }
        // Everything, including the cursor after the text, fits: no scrolling.
        if totalColumns + 1 <= width { return 0 }
        var s = scroll
        if cursorColumn < s { s = cursorColumn }
        // Keep the cursor's cell (up to 2 columns) in view.
        if cursorColumn + 1 > s + width { s = cursorColumn + 1 - width }
        // Do not leave blank room on the right while text is hidden on the left.
        s = min(s, max(0, totalColumns + 1 - width))
        return max(0, s)
    }

    /// Draws the field on the first row of `area`. When `focused`, sets `buffer.cursor` to the cursor cell.
    /// The `placeholder` shows (in `placeholderStyle`) when the field is empty.
    public func render(into buffer: inout CellBuffer, area: Rect, style: Style, focused: Bool,
                       placeholder: String? = nil, placeholderStyle: Style? = nil) {
        guard area.width > 0, area.height > 0 else { return }
        let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.fill(row, style: style)
        if characters.isEmpty, let placeholder {
            buffer.put(placeholder, x: area.x, y: area.y, style: placeholderStyle ?? style, maxWidth: area.width)
        }
        let total = columns(0, characters.count)
        let scroll = viewWidth == area.width
            ? scrollColumn
            : TextField.scroll(from: viewWidth > 0 ? scrollColumn : 0, cursorColumn: cursorColumn, totalColumns: total, width: area.width)
        var column = 0
        for c in characters {
            let w = DisplayWidth.of(c)
            defer { column += w }
            if column + w <= scroll { continue }
            let x = area.x + column - scroll
            if x >= area.maxX { break }
            if column < scroll || x + w > area.maxX {
                // A wide grapheme cut by an edge: show a blank in its visible half.
                buffer.put(" ", x: max(x, area.x), y: area.y, style: style)
                continue
            }
            buffer.put(c, x: x, y: area.y, style: style)
        }
        if focused {
            let x = area.x + cursorColumn - scroll
            buffer.cursor = Point(x: min(max(area.x, x), area.maxX - 1), y: area.y)
        }
    }
}
