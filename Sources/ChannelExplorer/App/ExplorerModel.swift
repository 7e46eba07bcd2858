import Foundation
import JobKit
import PackKit
import TUI

/// Everything the explorer shows. Only `update` changes it; background work reports back with messages. Each
/// pane's state is the pane's own (`panes`); the model holds what the app shares between them.
public struct ExplorerModel: Sendable {
    public internal(set) var width = 80
    public internal(set) var height = 24
    public internal(set) var theme: Theme
    /// Counts theme changes: panes redo their measured layout when it moves.
    var themeVersion = 0
    public internal(set) var focus: PaneID = PaneList.tabs[0].id
    /// The pack picker covers the main screen until a pack is open (and again on Ctrl-O or `:open`).
    public internal(set) var showPicker = true
    public internal(set) var popup: Popup?
    public internal(set) var picker = PickerPane()
    public internal(set) var panes = PaneSet(PaneList.tabs)
    public internal(set) var session: PackSession?
    /// What answers: "offline" or the configured model (kept here so the status bar never asks the session).
    public internal(set) var backendLabel = ""
    public internal(set) var jobs = JobsFeed()
    public internal(set) var status = StatusState()
    /// Seconds since 1970, as of the last tick.
    public internal(set) var now: Double
    /// Ticks so far; spinners turn with them.
    public internal(set) var tick = 0
    /// What the panes were last laid out for (size, focus, picker, theme).
    var laidOut: [Int]?

    public init(theme: Theme, now: Double = Date().timeIntervalSince1970) {
        self.theme = theme
        self.now = now
    }

    var layout: ExplorerLayout { ExplorerLayout(width: width, height: height, focus: focus, panes: panes.ids) }

    /// The component that has the keyboard: the picker while it shows, else the focused pane.
    var keyboardOwner: PaneID { showPicker ? PickerPane.id : focus }

    /// Whether keys go to a text field now, and whether that field is empty.
    var typing: (editing: Bool, empty: Bool) {
        if showPicker { return (picker.isEditingText, picker.isTextEmpty) }
        guard let pane = panes[focus] else { return (false, true) }
        return (pane.isEditingText, pane.isTextEmpty)
    }
}
