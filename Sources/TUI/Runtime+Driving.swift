import Foundation

/// Driving the real loop by hand, on an in-memory terminal: tests type, click and resize, let effects and timers
/// run, and read the frames (text and styles) the loop painted.
///
///     let runtime = Runtime(program: Counter(), model: .init(), backend: TestBackend(width: 20, height: 3))
///     runtime.press(.character("+"))
///     XCTAssertTrue(runtime.screen.contains("count: 1"))
///
/// Use from one task (an XCTest method, main-actor or not); the async methods run on the caller's actor.
extension Runtime where B == TestBackend {
    /// Turns the loop until it has nothing left to do now: input applied, queued messages and due timers applied,
    /// the frame painted. Effects still running deliver later (see `settle` and `waitUntil`).
    public func runPending() {
        var turns = 0
        // Bounded: a program that keeps sending itself messages would otherwise spin here for ever.
        while turn(timeout: 0), turns < 10_000 { turns += 1 }
    }

    /// Each key in its own turn, as typed.
    public func press(_ keys: Key...) { press(keys) }

    public func press(_ keys: [Key]) {
        for key in keys {
            backend.send([.key(key)])
            runPending()
        }
    }

    /// Presses a key per character ("\n" is Enter, "\t" Tab).
    public func type(_ text: String) {
        for c in text {
            switch c {
            case "\n", "\r", "\r\n": press(.enter)
            case "\t": press(.tab)
            default: press(.character(c))
            }
        }
    }

    /// Events that arrive together (a paste, a held key): applied in one turn, painted once.
    public func burst(_ events: [InputEvent]) {
        backend.send(events)
        runPending()
    }

    /// Raw terminal bytes, decoded as the terminal's input would be.
    public func input(bytes: [UInt8]) {
        backend.send(bytes: bytes)
        runPending()
    }

    public func click(x: Int, y: Int, button: MouseButton = .left) {
        backend.send([.mouse(MouseEvent(button: button, x: x, y: y))])
        runPending()
    }

    /// Changes the terminal's size; the loop gets the resize event and repaints.
    public func resize(width: Int, height: Int) {
        backend.resize(width: width, height: height)
        runPending()
    }

    /// Moves the backend's clock forward and fires the timers that fall due.
    public func advanceClock(by seconds: Double) {
        backend.advanceClock(by: seconds)
        runPending()
    }

    /// Changes the model directly (test set-up) and paints it.
    public func mutate(_ body: (inout P.Model) -> Void) {
        body(&model)
        needsPaint = true
        runPending()
    }

    /// Applies a message as if an effect had sent it.
    public func deliver(_ message: P.Msg) {
        send(message)
        runPending()
    }

    /// The last frame painted, as text (rows joined by "\n", trailing spaces trimmed).
    public var screen: String { backend.buffer.text() }

    /// The last frame painted, with styles.
    public var frame: CellBuffer { backend.buffer }

    /// Turns the loop until no effect task runs and no message waits, or `timeout` seconds pass (false). Timers do
    /// not count (a ticking clock never settles): use `waitUntil` for endless tasks too.
    nonisolated(nonsending)
    public func settle(timeout: Double = 5) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            runPending()
            if runningTaskCount == 0, !hasQueuedMessages {
                // A task may have queued its last message just before finishing.
                runPending()
                if runningTaskCount == 0, !hasQueuedMessages { return true }
                continue
            }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// Turns the loop until `predicate(model)` holds (true) or `timeout` seconds pass (false).
    nonisolated(nonsending)
    public func waitUntil(timeout: Double = 5, _ predicate: (P.Model) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            runPending()
            if predicate(model) { return true }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }
}
