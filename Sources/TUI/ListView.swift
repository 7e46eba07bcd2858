/// One entry of a list: one or more rows of styled text.
public struct ListItem: Hashable, Sendable, ExpressibleByStringLiteral {
    public var lines: [StyledLine]

    public init(_ line: StyledLine) { self.lines = [line] }
    public init(lines: [StyledLine]) { self.lines = lines.isEmpty ? [StyledLine()] : lines }
    public init(stringLiteral value: String) { self.lines = [StyledLine(value)] }

    public var height: Int { max(1, lines.count) }
}

/// The selection and scroll position of a list. A value in the app's model; `update` moves it with the helpers
/// below, `ListView.render` draws from it (always showing the selection, even if `offset` is stale).
public struct ListState: Hashable, Sendable {
    /// The selected item; nil when nothing is selected (e.g. an empty list).
    public var selected: Int?
    /// The first item shown.
    public var offset: Int

    public init(selected: Int? = 0, offset: Int = 0) {
        self.selected = selected
        self.offset = offset
    }

    /// Keeps the selection and offset within `count` items (nil selection for an empty list).
    public mutating func clamp(count: Int) {
        if count <= 0 { selected = nil; offset = 0; return }
        if let s = selected { selected = min(max(0, s), count - 1) }
        offset = min(max(0, offset), count - 1)
    }

    /// Selects `index` (clamped) and scrolls so that it is visible in `visibleHeight` rows of one-row items.
    public mutating func select(_ index: Int?, count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        selected = index
        clamp(count: count)
        scrollToSelection(count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    public mutating func moveDown(_ by: Int = 1, count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        select((selected ?? -1) + by, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    public mutating func moveUp(_ by: Int = 1, count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        select((selected ?? count) - by, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    /// Moves down one page (the items that fit in `visibleHeight` rows, at least one).
    public mutating func pageDown(count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        let page = max(1, visibleHeight / max(1, itemHeight))
        let target = (selected ?? 0) + page
        // The page's first item becomes the old last one, like a pager.
        offset += page
        select(target, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
        clampOffset(count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    public mutating func pageUp(count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        let page = max(1, visibleHeight / max(1, itemHeight))
        offset -= page
        select((selected ?? 0) - page, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
        clampOffset(count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    public mutating func home(count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        select(0, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    public mutating func end(count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        select(count - 1, count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
    }

    /// Scrolls the view by `delta` items (mouse wheel) and drags the selection along so it stays visible.
    public mutating func scroll(by delta: Int, count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        guard count > 0 else { clamp(count: 0); return }
        let page = max(1, visibleHeight / max(1, itemHeight))
        offset = min(max(0, offset + delta), max(0, count - page))
        if let s = selected {
            selected = min(max(s, offset), min(count - 1, offset + page - 1))
        }
    }

    /// Adjusts `offset` as little as possible so that the selection is visible.
    public mutating func scrollToSelection(count: Int, visibleHeight: Int, itemHeight: Int = 1) {
        guard visibleHeight > 0 else { return }
        offset = ListState.visibleOffset(selected: selected, offset: offset, count: count, visibleHeight: visibleHeight) { _ in itemHeight }
    }

    private mutating func clampOffset(count: Int, visibleHeight: Int, itemHeight: Int) {
        let page = max(1, visibleHeight / max(1, itemHeight))
        offset = min(max(0, offset), max(0, count - page))
        if let s = selected, s < offset || s >= offset + page {
            scrollToSelection(count: count, visibleHeight: visibleHeight, itemHeight: itemHeight)
        }
    }

    /// The first item to show so that the selection is visible, starting from `offset` and moving it as little
    /// as possible. `heights` gives each item's rows.
    public static func visibleOffset(selected: Int?, offset: Int, count: Int, visibleHeight: Int,
                                     heights: (Int) -> Int) -> Int {
        guard count > 0 else { return 0 }
        var first = min(max(0, offset), count - 1)
        guard let sel = selected.map({ min(max(0, $0), count - 1) }), visibleHeight > 0 else { return first }
        if sel < first { return sel }
        // Rows from `first` to the end of the selection.
        var rows = 0
        for i in first...sel { rows += heights(i) }
        while rows > visibleHeight, first < sel {
            rows -= heights(first)
            first += 1
        }
        return first
    }
}

/// Draws a list of items with a selection bar, scrolled to keep the selection visible.
public struct ListView: Sendable {
    public var items: [ListItem]
    /// The style of the selected row(s); item styles are drawn over it.
    public var selectedStyle: Style
    /// Fills the area first when set.
    public var style: Style?
    /// Drawn before the selected item (other items get as many spaces), e.g. "▶ ".
    public var highlightSymbol: String?
    /// Shown when there are no items.
    public var emptyText: StyledLine?
    /// Draws a scrollbar in the last column when the items do not fit.
    public var scrollbar: Bool
    public var scrollbarStyle: Style

    public init(_ items: [ListItem], selectedStyle: Style = Style(reverse: true), style: Style? = nil,
                highlightSymbol: String? = nil, emptyText: StyledLine? = nil, scrollbar: Bool = false,
                scrollbarStyle: Style = .plain) {
        self.items = items
        self.selectedStyle = selectedStyle
        self.style = style
        self.highlightSymbol = highlightSymbol
        self.emptyText = emptyText
        self.scrollbar = scrollbar
        self.scrollbarStyle = scrollbarStyle
    }

    public init(lines: [StyledLine], selectedStyle: Style = Style(reverse: true), style: Style? = nil,
                highlightSymbol: String? = nil, emptyText: StyledLine? = nil, scrollbar: Bool = false,
                scrollbarStyle: Style = .plain) {
        self.init(lines.map(ListItem.init), selectedStyle: selectedStyle, style: style, highlightSymbol: highlightSymbol,
                  emptyText: emptyText, scrollbar: scrollbar, scrollbarStyle: scrollbarStyle)
    }

    /// The first item drawn for `state` in an area of `height` rows.
    public func firstVisible(state: ListState, height: Int) -> Int {
        ListState.visibleOffset(selected: state.selected, offset: state.offset, count: items.count,
                                visibleHeight: height) { items[$0].height }
    }

    /// The item drawn at screen row `y` (for mouse clicks), or nil.
    public func index(atRow y: Int, area: Rect, state: ListState) -> Int? {
        guard y >= area.y, y < area.maxY, !items.isEmpty else { return nil }
        var row = area.y
        var i = firstVisible(state: state, height: area.height)
        while i < items.count, row < area.maxY {
            if y < row + items[i].height { return i }
            row += items[i].height
            i += 1
        }
        return nil
    }

    public func render(into buffer: inout CellBuffer, area: Rect, state: ListState) {
        guard !area.isEmpty else { return }
        if let style { buffer.fill(area, style: style) }
        if items.isEmpty {
            if let emptyText { buffer.draw(emptyText, x: area.x, y: area.y, maxWidth: area.width) }
            return
        }
        let first = firstVisible(state: state, height: area.height)
        let totalRows = items.reduce(0) { $0 + $1.height }
        let showBar = scrollbar && totalRows > area.height && area.width > 2
        let content = showBar ? Rect(x: area.x, y: area.y, width: area.width - 1, height: area.height) : area
        let symbolWidth = highlightSymbol.map { DisplayWidth.of($0) } ?? 0
        var row = content.y
        var i = first
        while i < items.count, row < content.maxY {
            let isSelected = state.selected == i
            for line in items[i].lines {
                guard row < content.maxY else { break }
                var x = content.x
                if isSelected { buffer.fill(Rect(x: content.x, y: row, width: content.width, height: 1), style: selectedStyle) }
                if let symbol = highlightSymbol {
                    let text = isSelected && line == items[i].lines.first ? symbol : String(repeating: " ", count: symbolWidth)
                    x += buffer.put(text, x: x, y: row, style: isSelected ? selectedStyle : (style ?? .plain),
                                    maxWidth: content.maxX - x)
                }
                let drawn = isSelected ? line.mapStyles { $0.over(selectedStyle) } : line
                buffer.draw(drawn, x: x, y: row, maxWidth: content.maxX - x)
                row += 1
            }
            i += 1
        }
        if showBar {
            let rowsBefore = items[..<first].reduce(0) { $0 + $1.height }
            Scrollbar(total: totalRows, visible: area.height, offset: rowsBefore,
                      trackStyle: scrollbarStyle, thumbStyle: scrollbarStyle)
                .render(into: &buffer, area: Rect(x: area.maxX - 1, y: area.y, width: 1, height: area.height))
        }
    }
}
