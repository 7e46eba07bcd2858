import TUI

/// Where everything goes for a terminal size: the tab bar on top, the status bar at the bottom, and the focused
/// pane between them; wide terminals show the question pane and the citation browser side by side.
struct ExplorerLayout {
    static let minimumWidth = 60
    static let minimumHeight = 20

    let width: Int
    let height: Int
    let focus: Pane

    var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
    var tabBar: Rect { Rect(x: 0, y: 0, width: width, height: 1) }
    var statusBar: Rect { Rect(x: 0, y: height - 1, width: width, height: 1) }
    var main: Rect { Rect(x: 0, y: 1, width: width, height: height - 2) }

    /// Side by side when there is room for both and one of them is focused.
    var splitsAskAndCitations: Bool { width >= 110 && (focus == .ask || focus == .citations) }

    /// The panes on screen and their frames.
    var frames: [(Pane, Rect)] {
        if splitsAskAndCitations {
            let (left, right) = main.splitLeft(main.width * 3 / 5)
            return [(.ask, left), (.citations, right)]
        }
        return [(focus, main)]
    }

    func frame(of pane: Pane) -> Rect? { frames.first { $0.0 == pane }?.1 }

    /// The inside of a pane's border.
    func body(for pane: Pane) -> Rect { (frame(of: pane) ?? main).inset(1) }

    /// The question input's row inside the ask pane.
    var inputRow: Int { body(for: .ask).maxY - 1 }

    /// The picker's list: inside the border, under the filter line, the progress line and a blank row.
    var pickerList: Rect { Rect(x: main.x + 1, y: main.y + 4, width: main.width - 2, height: main.height - 5) }

    func pane(atX x: Int, y: Int) -> Pane? { frames.first { $0.1.contains(x: x, y: y) }?.0 }

    /// Tab labels and where they are on the tab bar.
    var tabs: [(Pane, String, Range<Int>)] {
        var x = 7
        var out: [(Pane, String, Range<Int>)] = []
        for pane in Pane.allCases {
            let label = width < 80 ? " \(pane.title) " : " \(pane.rawValue + 1) \(pane.title) "
            out.append((pane, label, x..<(x + label.count)))
            x += label.count + 1
        }
        return out
    }

    func tab(atX x: Int) -> Pane? { tabs.first { $0.2.contains(x) }?.0 }
}
