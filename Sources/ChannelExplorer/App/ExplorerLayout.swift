import TUI

/// Where everything goes for a terminal size: the tab bar on top, the status bar at the bottom, and the focused
/// pane between them; wide terminals show the question pane and the citation browser side by side.
struct ExplorerLayout {
    static let minimumWidth = 60
    static let minimumHeight = 20

    let width: Int
    let height: Int
    let focus: PaneID
    /// The panes in tab order.
    let panes: [PaneID]

    var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
    var tabBar: Rect { Rect(x: 0, y: 0, width: width, height: 1) }
    var statusBar: Rect { Rect(x: 0, y: height - 1, width: width, height: 1) }
    var main: Rect { Rect(x: 0, y: 1, width: width, height: height - 2) }

    /// Side by side when there is room for both and one of them is focused.
    var splitsAskAndCitations: Bool {
        width >= 110 && (focus == AskPane.id || focus == CitationsPane.id) && panes.contains(AskPane.id) && panes.contains(CitationsPane.id)
    }

    /// The panes on screen and their frames.
    var frames: [(PaneID, Rect)] {
        if splitsAskAndCitations {
            let (left, right) = main.splitLeft(main.width * 3 / 5)
            return [(AskPane.id, left), (CitationsPane.id, right)]
        }
        return [(focus, main)]
    }

    /// A pane's frame: where it is on screen, else where it would be if it had the focus.
    func frame(of pane: PaneID) -> Rect {
        if let on = frames.first(where: { $0.0 == pane }) { return on.1 }
        return ExplorerLayout(width: width, height: height, focus: pane, panes: panes).frames.first { $0.0 == pane }?.1 ?? main
    }

    func pane(atX x: Int, y: Int) -> PaneID? { frames.first { $0.1.contains(x: x, y: y) }?.0 }

    /// Tab labels (a pane's number is its place in the pane list) and where they are on the tab bar.
    func tabs(titles: [String]) -> [(PaneID, String, Range<Int>)] {
        var x = 7
        var out: [(PaneID, String, Range<Int>)] = []
        for (i, (pane, title)) in zip(panes, titles).enumerated() {
            let label = width < 80 ? " \(title) " : " \(i + 1) \(title) "
            out.append((pane, label, x..<(x + DisplayWidth.of(label))))
            x += DisplayWidth.of(label) + 1
        }
        return out
    }
}
