import JobKit

/// The job list as the app last read it from the store, with what the status bar, the library and the jobs pane
/// derive from it (worked out when it changes, not on every frame).
public struct JobsFeed: Sendable {
    public private(set) var jobs: [Job] = []
    /// Whether the list has been read once.
    public private(set) var loaded = false
    public private(set) var openCount = 0
    public private(set) var doneCount = 0
    /// Videos with a job still open (a `pack:PATH#VIDEO` source), for the library's "summarising".
    public private(set) var summarising: Set<String> = []
    /// Submissions being sent right now (quitting asks first).
    public var submitting = 0
    /// States seen at the last read, to notice jobs that finished.
    private var lastStates: [Int64: JobState] = [:]

    public init() {}

    /// Takes a new list; returns the jobs that finished since the last one (none on the first read).
    mutating func update(_ list: [Job]) -> [Job] {
        let finished = loaded ? list.filter { job in
            guard let before = lastStates[job.id] else { return false }
            return before != job.state && job.state.isFinal
        } : []
        jobs = list
        loaded = true
        lastStates = Dictionary(list.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
        openCount = list.filter(\.isOpen).count
        doneCount = list.filter { $0.state == .completed }.count
        summarising = Set(list.filter(\.isOpen).compactMap { $0.source.split(separator: "#").last.map(String.init) })
        return finished
    }
}
