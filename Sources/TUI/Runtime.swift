import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the runtime uses the terminal.
public struct RuntimeOptions: Sendable {
    public enum ColorChoice: String, Sendable, CaseIterable {
        case auto, full256 = "256", ansi16 = "16", none
    }

    /// Colours: detected (`auto`: 256, 16, or none with NO_COLOR / no colour support) or forced.
    public var colorMode: ColorChoice
    /// Report mouse clicks and the wheel (when the terminal can).
    public var mouse: Bool
    /// How long to wait after ESC for the rest of an Alt-key or escape sequence.
    public var escapeDelayMilliseconds: Int

    /// A file that gets one line per frame drawn in answer to input: when the input was read and when the frame
    /// was painted (CLOCK_MONOTONIC nanoseconds, comparable across processes), for the input-latency benchmark.
    public var tracePath: String?

    public init(colorMode: ColorChoice = .auto, mouse: Bool = true, escapeDelayMilliseconds: Int = 25, tracePath: String? = nil) {
        self.colorMode = colorMode
        self.mouse = mouse
        self.escapeDelayMilliseconds = escapeDelayMilliseconds
        self.tracePath = tracePath
    }
}

/// Runs `program` in the real terminal until an update returns `.quit` (or the terminal hangs up), on the calling
/// thread. The first message is `message(for: .resize(width:height:))` with the terminal's size, then
/// `initialEffects` start. Returns the final model. The terminal is restored on every way out.
public func runProgram<P: Program>(_ program: P, model: P.Model, options: RuntimeOptions = RuntimeOptions(),
                                   initialEffects: [Effect<P.Msg>] = []) throws -> P.Model {
    let backend = try CursesBackend(options: options)
    defer { backend.restore() }
    let runtime = Runtime(program: program, model: model, backend: backend, initialEffects: initialEffects,
                          tracePath: options.tracePath)
    runtime.run()
    backend.restore()
    return runtime.model
}

/// The one loop of a program, over any backend: queued messages and due timers are applied, a frame is painted
/// when something changed, then the loop waits for input, a message from an effect, or the next timer. The real
/// terminal runs it with `run()`; tests turn it by hand on a `TestBackend` (see `Runtime+Driving.swift`).
/// Use from one thread; effects deliver their messages from anywhere.
public final class Runtime<P: Program, B: Backend> {
    public let program: P
    public let backend: B
    public internal(set) var model: P.Model
    /// Whether the program quit or the terminal went away.
    public private(set) var isFinished = false
    /// Frames painted so far.
    public private(set) var framesPainted = 0

    private let queue = MessageQueue<P.Msg>()
    private let tasks: EffectTasks<P.Msg>
    private var timers = EffectTimers<P.Msg>()
    private let wake: WakeFlag
    private var pendingWrites: [String] = []
    var needsPaint = true
    private var started = false
    private var initialEffects: [Effect<P.Msg>]
    /// See `RuntimeOptions.tracePath`.
    private var trace: UnsafeMutablePointer<FILE>?
    private var inputReadAt: UInt64?

    public init(program: P, model: P.Model, backend: B, initialEffects: [Effect<P.Msg>] = [], tracePath: String? = nil) {
        self.program = program
        self.model = model
        self.backend = backend
        self.initialEffects = initialEffects
        let queue = self.queue
        let wake = WakeFlag()
        let wakeUp = backend.wakeUp
        self.wake = wake
        tasks = EffectTasks(deliver: { message in
            queue.push(message)
            // One wake-up per burst is enough; the loop drains the whole queue.
            if wake.set() { wakeUp() }
        })
        if let tracePath, let file = fopen(tracePath, "w") {
            setvbuf(file, nil, _IOLBF, 0)
            trace = file
        }
    }

    deinit {
        tasks.cancelAll()
        if let trace { fclose(trace) }
    }

    /// Runs until the program quits or the terminal hangs up, blocking the calling thread.
    public func run() {
        while !isFinished { turn(timeout: nil) }
    }

    /// One turn of the loop: starts the program on the first turn; applies queued messages and due timers; paints
    /// if anything changed; then waits up to `timeout` seconds (nil: until input, a message or the next timer) and
    /// applies the input that came. Returns whether anything happened.
    @discardableResult
    public func turn(timeout: Double?) -> Bool {
        guard !isFinished else { return false }
        var happened = false
        if !started {
            started = true
            happened = true
            apply(program.message(for: .resize(width: backend.width, height: backend.height)))
            let effects = initialEffects
            initialEffects = []
            for e in effects { perform(e) }
        }
        // Queued messages first (from effects, timers or a previous burst), then one frame.
        wake.clear()
        for m in queue.takeAll() {
            apply(m)
            happened = true
        }
        for m in timers.fire(now: backend.now()) {
            apply(m)
            happened = true
        }
        if isFinished { return true }
        if needsPaint { paint() }
        // Wait for input, a message, or the next timer (whichever comes first).
        var wait = timeout
        if let deadline = timers.nextDeadline {
            let untilTimer = max(0, deadline - backend.now())
            wait = wait.map { min($0, untilTimer) } ?? untilTimer
        }
        if !queue.isEmpty { wait = 0 }
        let input = backend.wait(timeout: wait)
        if input.hangup { finish(); return true }
        if trace != nil, !input.events.isEmpty, inputReadAt == nil { inputReadAt = monotonicNanoseconds() }
        for event in input.events {
            apply(program.message(for: event))
            happened = true
            if isFinished { return true }
        }
        return happened
    }

    /// Queues `message` as if an effect had sent it (applied on the next turn).
    public func send(_ message: P.Msg) { queue.push(message) }

    /// Ids of the running effect tasks and timers.
    public var runningTaskIDs: Set<String> { tasks.runningIDs.union(timers.ids) }
    /// Effect tasks still running (timers not counted).
    public var runningTaskCount: Int { tasks.runningCount }
    /// Whether messages wait to be applied.
    public var hasQueuedMessages: Bool { !queue.isEmpty }
    /// The next timer's deadline on the backend's clock.
    public var nextTimerDeadline: Double? { timers.nextDeadline }

    /// Stops every effect task and timer.
    public func cancelAllTasks() {
        tasks.cancelAll()
        timers.removeAll()
    }

    private func apply(_ message: P.Msg) {
        needsPaint = true
        for effect in program.update(&model, message) { perform(effect) }
    }

    private func perform(_ effect: Effect<P.Msg>) {
        switch effect {
        case let .run(id, work):
            if let id { timers.cancel(id: id) }
            tasks.start(id: id, work: work)
        case let .timer(id, after, every, message):
            if let id { tasks.cancel(id: id) }
            timers.add(id: id, after: after, every: every, now: backend.now(), message: message)
        case let .message(message): queue.push(message)
        case let .cancel(id):
            tasks.cancel(id: id)
            timers.cancel(id: id)
        case let .writeTerminal(text): pendingWrites.append(text)
        case .quit: finish()
        }
    }

    private func finish() {
        isFinished = true
        tasks.cancelAll()
        timers.removeAll()
    }

    /// Two frames' buffers, drawn into in turn: the backend keeps the last one painted (to paint only what changed),
    /// so the other is ours alone and is reset in place instead of allocated.
    private var frames = (CellBuffer(width: 0, height: 0), CellBuffer(width: 0, height: 0))

    private func paint() {
        var buffer = CellBuffer(width: 0, height: 0)
        swap(&buffer, &frames.0)
        buffer.reset(width: backend.width, height: backend.height)
        program.view(model, into: &buffer)
        backend.paint(buffer)
        frames.0 = frames.1
        frames.1 = buffer
        for text in pendingWrites { backend.writeRaw(text) }
        pendingWrites.removeAll()
        needsPaint = false
        framesPainted += 1
        if let trace, let read = inputReadAt {
            fputs("\(read) \(monotonicNanoseconds())\n", trace)
            inputReadAt = nil
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock of `RuntimeOptions.tracePath`, comparable across processes.
public func monotonicNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Set when a wake-up is on its way, so a burst of messages wakes the loop once.
final class WakeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    /// Sets the flag; true if it was clear (the caller should wake the loop).
    func set() -> Bool { lock.withLock { defer { isSet = true }; return !isSet } }
    func clear() { lock.withLock { isSet = false } }
}
