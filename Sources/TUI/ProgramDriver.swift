import Foundation

/// Runs a `Program` without a terminal, for tests: send messages and keys, let effects run as real tasks
/// (their messages are applied when you `settle`, `waitUntil`, or `applyPending`), and read the screen.
///
///     let driver = ProgramDriver(CounterProgram(), model: .init())
///     driver.press(.character("+"))
///     await driver.settle()
///     XCTAssertTrue(driver.screen(width: 20, height: 3).contains("count: 1"))
///
/// Use from one task (an XCTest method, main-actor or not); the async methods run on the caller's actor.
public final class ProgramDriver<P: Program> {
    public let program: P
    public private(set) var model: P.Model
    /// Text written with `.writeTerminal`, in order.
    public private(set) var terminalWrites: [String] = []
    /// Whether an update returned `.quit`.
    public private(set) var didQuit = false
    /// Every message applied, in order (for asserting on what effects sent).
    public private(set) var messageLog: [P.Msg] = []
    /// The size used by `render()`/`screen()` without arguments, and reported by `resize`.
    public private(set) var width: Int
    public private(set) var height: Int

    private let queue = MessageQueue<P.Msg>()
    private let tasks: EffectTasks<P.Msg>

    /// With `sendInitialResize`, the program first gets `message(for: .resize(width:height:))` as in the real runtime.
    public init(_ program: P, model: P.Model, width: Int = 80, height: Int = 24, sendInitialResize: Bool = true,
                initialEffects: [Effect<P.Msg>] = []) {
        self.program = program
        self.model = model
        self.width = width
        self.height = height
        let queue = self.queue
        self.tasks = EffectTasks(deliver: { queue.push($0) })
        if sendInitialResize { send(event: .resize(width: width, height: height)) }
        for e in initialEffects { perform(e) }
    }

    deinit { tasks.cancelAll() }

    // MARK: Input

    /// Applies a message now (and starts its effects).
    public func send(_ message: P.Msg) {
        messageLog.append(message)
        for effect in program.update(&model, message) { perform(effect) }
    }

    /// Applies the message for a terminal event.
    public func send(event: InputEvent) { send(program.message(for: event)) }

    public func press(_ keys: Key...) { for k in keys { send(event: .key(k)) } }
    public func press(_ keys: [Key]) { for k in keys { send(event: .key(k)) } }

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

    public func click(x: Int, y: Int, button: MouseButton = .left) {
        send(event: .mouse(MouseEvent(button: button, x: x, y: y)))
    }

    /// Changes the screen size and sends the resize event.
    public func resize(width: Int, height: Int) {
        self.width = width
        self.height = height
        send(event: .resize(width: width, height: height))
    }

    /// Changes the model directly (test set-up).
    public func mutate(_ body: (inout P.Model) -> Void) { body(&model) }

    // MARK: Effects

    private func perform(_ effect: Effect<P.Msg>) {
        switch effect {
        case let .run(id, work): tasks.start(id: id, work: work)
        case let .cancel(id): tasks.cancel(id: id)
        case let .writeTerminal(text): terminalWrites.append(text)
        case .quit: didQuit = true
        }
    }

    /// Applies the messages effects have sent so far; returns how many.
    @discardableResult
    public func applyPending() -> Int {
        let pending = queue.takeAll()
        for m in pending { send(m) }
        return pending.count
    }

    /// Ids of the effect tasks still running.
    public var runningTaskIDs: Set<String> { tasks.runningIDs }
    public var runningTaskCount: Int { tasks.runningCount }

    /// Cancels every running effect task.
    public func cancelAllTasks() { tasks.cancelAll() }

    /// Applies effect messages until no task runs and none is queued, or `timeout` seconds pass (returns false).
    /// Endless tasks (timers from `Effect.every`) never settle: use `waitUntil` with them.
    nonisolated(nonsending)
    public func settle(timeout: Double = 5) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            applyPending()
            if tasks.runningCount == 0 {
                // A task may have queued its last message just before finishing.
                if applyPending() == 0, tasks.runningCount == 0 { return true }
                continue
            }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// Applies effect messages until `predicate(model)` holds (true) or `timeout` seconds pass (false).
    nonisolated(nonsending)
    public func waitUntil(timeout: Double = 5, _ predicate: (P.Model) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            applyPending()
            if predicate(model) { return true }
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    // MARK: Output

    /// The view drawn into a fresh buffer of the given size (default: the driver's size).
    public func render(width: Int? = nil, height: Int? = nil) -> CellBuffer {
        var buffer = CellBuffer(width: width ?? self.width, height: height ?? self.height)
        program.view(model, into: &buffer)
        return buffer
    }

    /// The rendered screen as text (rows joined by "\n", trailing spaces trimmed).
    public func screen(width: Int? = nil, height: Int? = nil) -> String {
        render(width: width, height: height).text()
    }
}
