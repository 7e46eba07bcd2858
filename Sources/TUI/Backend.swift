/// What the runtime loop needs of a terminal: its size, input, a way to wake it from other threads, a clock,
/// and somewhere to paint. `CursesBackend` is the real terminal; `TestBackend` keeps everything in memory so tests
/// run the same loop (as Ratatui's `Terminal<B: Backend>` runs against its `TestBackend`).
/// A backend is used from one thread, the loop's, except `wakeUp`.
public protocol Backend: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Waits at most `timeout` seconds (nil: as long as it takes) for input or `wakeUp`, and returns what came.
    func wait(timeout: Double?) -> BackendInput
    /// Ends a `wait` from any thread (effects call it after queueing a message).
    var wakeUp: @Sendable () -> Void { get }
    /// Seconds on a monotonic clock: timers are measured on it.
    func now() -> Double
    /// Shows `buffer` (a backend may skip cells that did not change since the last frame).
    func paint(_ buffer: CellBuffer)
    /// Sends bytes straight to the terminal after the frame (e.g. an OSC 52 clipboard sequence).
    func writeRaw(_ text: String)
}

/// What a wait brought: input events, whether the loop was woken (messages may be queued), and whether the
/// terminal went away.
public struct BackendInput: Sendable {
    public var events: [InputEvent]
    public var woken: Bool
    public var hangup: Bool

    public init(events: [InputEvent] = [], woken: Bool = false, hangup: Bool = false) {
        self.events = events
        self.woken = woken
        self.hangup = hangup
    }
}
