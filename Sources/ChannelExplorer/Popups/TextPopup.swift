import TUI

/// Scrollable text over the screen: the help, the recent messages, a job's summary, a link.
public struct TextPopup: Sendable {
    public var title: String
    /// The text before wrapping.
    public var lines: [StyledLine] {
        didSet { rowsWidth = -1 }
    }
    /// The popup's width (nil: nearly the whole screen).
    public var width: Int?
    public private(set) var scroll = 0
    /// `lines` wrapped to the popup's inside, and that width (done on opening and resizing, not every frame).
    private var rows: [StyledLine] = []
    private var rowsWidth = -1
    /// `rows` drawn on the overlay's background, once per layout: a frame copies the visible ones instead of
    /// drawing them from text (graphemes, widths) each time, which was most of the help popup's frame.
    private var drawnRows = CellBuffer(width: 0, height: 0)
    private var visible = 1

    /// A document's own keys: copy it, save it (a palette command taking a path), attach it (a palette command).
    public struct Document: Sendable {
        public var text: String
        public var saveCommand: String
        public var suggestedPath: String
        public var attachCommand: String?
    }

    /// Set for a document (a summary): the popup can copy, save and attach it.
    public var document: Document?

    public init(title: String, lines: [StyledLine], width: Int? = nil) {
        self.title = title
        self.lines = lines
        self.width = width
    }

    /// Plain text in the overlay's style, one line per "\n".
    public init(title: String, text: String, theme: Theme) {
        let style = theme[.text].over(theme[.overlay])
        self.init(title: title, lines: text.split(separator: "\n", omittingEmptySubsequences: false).map { StyledLine(String($0), style: style) })
    }

    static let bindings: [Binding<TextPopup, PopupCall>] = [
        Binding([.down, .character("j")], "scroll down", hint: "scroll") { p, _ in p.scrolled(by: 1) },
        Binding([.up, .character("k")], "scroll up", hint: "scroll") { p, _ in p.scrolled(by: -1) },
        Binding([.pageDown, .character(" ")], "a page down", hint: "page") { p, _ in p.scrolled(by: p.visible) },
        Binding([.pageUp], "a page up", hint: "page") { p, _ in p.scrolled(by: -p.visible) },
        Binding([.home, .character("g")], "to the top") { p, _ in p.scroll = 0 },
        Binding([.end, .character("G")], "to the end") { p, _ in p.scroll = p.lastScroll },
        Binding([.character("y")], "copy the text (OSC 52)", hint: "copy", when: { $0.document != nil }) { p, call in
            if let text = p.document?.text { call.request(.copy(text)) }
        },
        Binding([.character("w")], "save the text to a file", hint: "save", when: { $0.document != nil }) { p, call in
            guard let document = p.document else { return }
            call.close()
            call.request(.popup(.prompt(PromptPopup(title: "Save to", command: document.saveCommand, value: document.suggestedPath))))
        },
        Binding([.character("a")], "attach it to the pack", hint: "attach", when: { $0.document?.attachCommand != nil }) { p, call in
            guard let command = p.document?.attachCommand else { return }
            call.close()
            call.request(.runCommand(command))
        },
        Binding([.escape, .character("q"), .enter], "close (so does any other key)", hint: "closes") { _, call in call.close() },
    ]

    /// The hints line, from the bindings that apply.
    var hints: String { Self.bindings.filter { $0.isActive(self) }.map(\.help).hintLine }

    mutating func handleKey(_ key: Key, _ call: inout PopupCall) {
        guard let binding = Self.bindings.binding(for: key, in: self) else { call.close(); return }
        binding.action(&self, &call)
    }

    private var lastScroll: Int { max(0, rows.count - visible) }

    private mutating func scrolled(by rows: Int) {
        scroll = min(max(0, scroll + rows), lastScroll)
    }

    private func boxWidth(_ screen: Rect) -> Int { min(screen.width - 4, width ?? screen.width - 6) }

    /// The popup's box on a screen for `rowCount` rows of text: nearly the whole screen, or, with a width, as tall
    /// as the text.
    private func box(_ screen: Rect, rowCount: Int) -> Rect {
        let height = width == nil ? screen.height - 4 : min(screen.height - 2, rowCount + 2)
        return Overlay.centered(width: boxWidth(screen), height: height, in: screen)
    }

    /// The text wrapped to the inside of the box on `screen`.
    private func wrappedRows(_ screen: Rect) -> [StyledLine] {
        let inner = max(1, boxWidth(screen) - 2)
        return inner == rowsWidth ? rows : lines.wrapped(width: inner)
    }

    mutating func layout(_ context: PopupContext) {
        let width = max(1, boxWidth(context.screen) - 2)
        rows = lines.wrapped(width: width)
        rowsWidth = width
        drawnRows = CellBuffer(width: width, height: rows.count)
        drawnRows.fill(drawnRows.area, style: context.theme[.overlay])
        drawnRows.draw(rows, in: drawnRows.area)
        visible = max(1, box(context.screen, rowCount: rows.count).height - 2)
        scroll = min(scroll, lastScroll)
    }

    func view(_ context: PopupContext, into buffer: inout CellBuffer) {
        let shown = wrappedRows(context.screen)
        let inner = PopupFrame.draw(title: title, hint: hints, box(context.screen, rowCount: shown.count),
                                    context.theme, &buffer)
        let first = min(scroll, max(0, shown.count - inner.height))
        if rowsWidth == inner.width, drawnRows.width == rowsWidth, drawnRows.height == rows.count {
            buffer.copy(rows: first..<min(shown.count, first + inner.height), of: drawnRows, x: inner.x, y: inner.y)
        } else {
            buffer.draw(Array(shown.dropFirst(first).prefix(inner.height)), in: inner)
        }
    }
}
