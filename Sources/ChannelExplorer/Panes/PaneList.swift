/// The panes of the main screen in tab order (digits and Alt-digits go to them by their place here). Adding a
/// pane: its file, and one line here.
enum PaneList {
    static let tabs: [any Pane.Type] = [
        AskPane.self,
        CitationsPane.self,
        TranscriptPane.self,
        LibraryPane.self,
        JobsPane.self,
        SearchPane.self,
        TimelinePane.self,
        BriefPane.self,
    ]

    /// A pane's number: its place in the list (its digit key and tab label).
    static func number(of id: PaneID) -> Int? { tabs.firstIndex { $0.id == id }.map { $0 + 1 } }
}
