/// Sends messages from background work back into the UI loop. Safe from any thread or task.
public struct MessageSink<Msg: Sendable>: Sendable {
    private let deliver: @Sendable (Msg) -> Void
    public init(_ deliver: @escaping @Sendable (Msg) -> Void) { self.deliver = deliver }
    public func send(_ message: Msg) { deliver(message) }
}

/// What `update` asks the runtime to do besides changing the state. Work runs off the UI loop and reports
/// back through the sink; it never touches the state directly.
public enum Effect<Msg: Sendable>: Sendable {
    /// Runs `work` as a task. A task with an `id` replaces (cancels) a running task or timer of the same id,
    /// and `.cancel(id)` stops it (the work sees `Task.isCancelled` / `CancellationError`).
    case run(id: String?, work: @Sendable (MessageSink<Msg>) async -> Void)
    /// Sends `message()` after `after` seconds on the backend's clock, then every `every` seconds when set. A timer
    /// with an `id` replaces one of the same id; `.cancel(id)` stops it. Timers are the loop's own (no task), so an
    /// in-memory backend's clock drives them in tests.
    case timer(id: String?, after: Double, every: Double?, message: @Sendable () -> Msg)
    /// Applies `message` on the loop's next turn (to chain an update without recursion).
    case message(Msg)
    case cancel(id: String)
    /// Writes raw bytes to the terminal after the next paint (e.g. an OSC 52 clipboard sequence).
    case writeTerminal(String)
    /// Ends the program; the terminal is restored.
    case quit

    public static func task(_ id: String? = nil, _ work: @escaping @Sendable (MessageSink<Msg>) async -> Void) -> Effect {
        .run(id: id, work: work)
    }

    /// Sends `message()` every `seconds` until cancelled (`.cancel(id:)`, or replaced by another effect with `id`).
    public static func every(_ seconds: Double, id: String, _ message: @escaping @Sendable () -> Msg) -> Effect {
        .timer(id: id, after: seconds, every: seconds, message: message)
    }

    /// Sends `message()` once after `seconds` (cancellable by `id`).
    public static func after(_ seconds: Double, id: String? = nil, _ message: @escaping @Sendable () -> Msg) -> Effect {
        .timer(id: id, after: seconds, every: nil, message: message)
    }

    /// Sends a message on the loop's next turn.
    public static func send(_ message: Msg) -> Effect { .message(message) }
}

/// An Elm-style program: all state in `Model`, every change through `update`, the screen from `view`.
public protocol Program {
    associatedtype Model
    associatedtype Msg: Sendable
    /// Turns terminal input (keys, mouse, resize) into a message.
    func message(for event: InputEvent) -> Msg
    /// Applies a message; returns the work to start. No I/O here: work goes into effects.
    func update(_ model: inout Model, _ message: Msg) -> [Effect<Msg>]
    /// Draws the whole screen. Must not block: it runs on every frame.
    func view(_ model: Model, into buffer: inout CellBuffer)
}
