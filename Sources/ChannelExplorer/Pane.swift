/// The panes of the main screen, in Tab order; Alt-1..5 jump to them.
public enum Pane: Int, CaseIterable, Sendable {
    case ask, citations, transcript, library, jobs

    public var title: String {
        switch self {
        case .ask: "Ask"
        case .citations: "Citations"
        case .transcript: "Transcript"
        case .library: "Library"
        case .jobs: "Jobs"
        }
    }

    var next: Pane { Pane(rawValue: (rawValue + 1) % Pane.allCases.count) ?? .ask }
    var previous: Pane { Pane(rawValue: (rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .ask }
}
