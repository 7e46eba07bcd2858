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

/// Runs `program` in the terminal until an update returns `.quit` (or the terminal hangs up), on the calling
/// thread. The first message is `message(for: .resize(width:height:))` with the terminal's size, then
/// `initialEffects` start. Returns the final model. The terminal is restored on every way out.
public func runProgram<P: Program>(_ program: P, model: P.Model, options: RuntimeOptions = RuntimeOptions(),
                                   initialEffects: [Effect<P.Msg>] = []) throws -> P.Model {
    let terminal = try Terminal(options: options)
    defer { terminal.restore() }
    var loop = RuntimeLoop(program: program, model: model, terminal: terminal)
    if let path = options.tracePath, let file = fopen(path, "w") {
        setvbuf(file, nil, _IOLBF, 0)
        loop.trace = file
    }
    defer { if let trace = loop.trace { fclose(trace) } }
    loop.run(initialEffects: initialEffects)
    terminal.restore()
    return loop.model
}

struct RuntimeLoop<P: Program> {
    let program: P
    var model: P.Model
    let terminal: Terminal
    let queue = MessageQueue<P.Msg>()
    let tasks: EffectTasks<P.Msg>
    var pendingWrites: [String] = []
    var quitting = false
    /// See `RuntimeOptions.tracePath`.
    var trace: UnsafeMutablePointer<FILE>?
    var inputReadAt: UInt64?

    init(program: P, model: P.Model, terminal: Terminal) {
        self.program = program
        self.model = model
        self.terminal = terminal
        let queue = self.queue
        let fd = terminal.wakeFD
        let wake = WakeFlag()
        tasks = EffectTasks(deliver: { message in
            queue.push(message)
            // One byte per burst is enough; the loop drains the whole queue.
            if wake.set() {
                var b: UInt8 = 1
                _ = write(fd, &b, 1)
            }
        })
        self.wake = wake
    }

    private let wake: WakeFlag

    mutating func apply(_ message: P.Msg) {
        for effect in program.update(&model, message) { perform(effect) }
    }

    mutating func perform(_ effect: Effect<P.Msg>) {
        switch effect {
        case let .run(id, work): tasks.start(id: id, work: work)
        case let .cancel(id): tasks.cancel(id: id)
        case let .writeTerminal(text): pendingWrites.append(text)
        case .quit: quitting = true
        }
    }

    mutating func render() {
        var buffer = CellBuffer(width: terminal.width, height: terminal.height)
        program.view(model, into: &buffer)
        terminal.paint(buffer)
        for text in pendingWrites { terminal.writeRaw(text) }
        pendingWrites.removeAll()
    }

    mutating func run(initialEffects: [Effect<P.Msg>]) {
        apply(program.message(for: .resize(width: terminal.width, height: terminal.height)))
        for e in initialEffects { perform(e) }
        defer { tasks.cancelAll() }
        while !quitting {
            // Queued messages first (from initial effects or a previous burst), then one frame.
            wake.clear()
            for m in queue.takeAll() { apply(m) }
            if quitting { break }
            render()
            if let trace, let read = inputReadAt {
                fputs("\(read) \(monotonicNanoseconds())\n", trace)
                inputReadAt = nil
            }
            var changed = false
            while !changed {
                let w = terminal.wait()
                if w.hangup { return }
                if trace != nil, !w.events.isEmpty, inputReadAt == nil { inputReadAt = monotonicNanoseconds() }
                for event in w.events { apply(program.message(for: event)) }
                changed = !w.events.isEmpty || w.woken || !queue.isEmpty
                if quitting { return }
            }
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock of `RuntimeOptions.tracePath`, comparable across processes.
public func monotonicNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Set when a wake byte is in the pipe, so bursts of messages write one byte.
final class WakeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    /// Sets the flag; true if it was clear (the caller should write the byte).
    func set() -> Bool { lock.withLock { defer { isSet = true }; return !isSet } }
    func clear() { lock.withLock { isSet = false } }
}
