/// The panes of the main screen in tab order (digits and Alt-digits go to them by their place here). Adding a
/// pane: its file, and one line here.
enum PaneList {
    static let tabs: [any Pane.Type] = [
        AskPane.self,
        CitationsPane.self,
        TranscriptPane.self,
        LibraryPane.self,
        JobsPane.self,
    ]
}
