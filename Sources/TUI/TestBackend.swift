import Foundation

/// A terminal in memory, for tests and benchmarks: input is queued by the test, frames are kept as cell buffers
/// (text and styles), raw writes are recorded, and the clock can be moved forward to fire timers at once.
/// The runtime runs its real loop against it (see `Runtime+Driving.swift`).
/// `@unchecked Sendable`: every mutable field is guarded by `condition`, since effects wake it and a test may read
/// frames while `run()` turns the loop on another thread.
public final class TestBackend: Backend, @unchecked Sendable {
    public var width: Int { locked { size.width } }
    public var height: Int { locked { size.height } }
    /// The last frame painted (blank before the first).
    public var buffer: CellBuffer { locked { painted } }
    /// Everything written with `Effect.writeTerminal`, in order.
    public var writes: [String] { locked { written } }
    /// Frames painted so far.
    public var paints: Int { locked { paintCount } }

    private let condition = NSCondition()
    // Guarded by `condition` (a test may read frames while `run()` turns the loop on another thread).
    private var size: (width: Int, height: Int)
    private var painted: CellBuffer
    private var written: [String] = []
    private var paintCount = 0
    private var input: [InputEvent] = []
    private var woken = false
    private var hungUp = false
    private var clockOffset = 0.0
    private let startedAt: Double

    public init(width: Int = 80, height: Int = 24) {
        size = (max(0, width), max(0, height))
        painted = CellBuffer(width: width, height: height)
        startedAt = TestBackend.monotonicSeconds()
    }

    // MARK: Backend

    public func wait(timeout: Double?) -> BackendInput {
        condition.lock()
        defer { condition.unlock() }
        if input.isEmpty, !woken, !hungUp, let timeout, timeout > 0 {
            _ = condition.wait(until: Date().addingTimeInterval(timeout))
        } else if input.isEmpty, !woken, !hungUp, timeout == nil {
            while input.isEmpty, !woken, !hungUp { condition.wait() }
        }
        let result = BackendInput(events: input, woken: woken, hangup: hungUp)
        input.removeAll()
        woken = false
        return result
    }

    public var wakeUp: @Sendable () -> Void {
        { [weak self] in self?.signal { $0.woken = true } }
    }

    /// Seconds since the backend was made, plus however far `advanceClock` moved it.
    public func now() -> Double {
        condition.lock()
        defer { condition.unlock() }
        return TestBackend.monotonicSeconds() - startedAt + clockOffset
    }

    public func paint(_ buffer: CellBuffer) {
        signal {
            $0.painted = buffer
            $0.paintCount += 1
        }
    }

    public func writeRaw(_ text: String) { signal { $0.written.append(text) } }

    // MARK: What a test does to the terminal

    /// Queues input events; the loop applies them on its next turn, all in one go (one burst, one frame).
    public func send(_ events: [InputEvent]) {
        signal { $0.input.append(contentsOf: events) }
    }

    /// Queues the events raw terminal bytes decode to (escape sequences, UTF-8, control characters).
    public func send(bytes: [UInt8]) { send(KeyDecoder.events(fromBytes: bytes)) }

    /// Changes the terminal's size and queues the resize event.
    public func resize(width: Int, height: Int) {
        let size = (width: max(0, width), height: max(0, height))
        signal {
            $0.size = size
            $0.input.append(.resize(width: size.width, height: size.height))
        }
    }

    /// Moves the clock forward: timers due by then fire on the next turn.
    public func advanceClock(by seconds: Double) {
        signal { $0.clockOffset += max(0, seconds) }
    }

    /// The terminal goes away (as when its window is closed): the loop ends.
    public func hangUp() { signal { $0.hungUp = true } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func signal(_ change: (TestBackend) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }

    static func monotonicSeconds() -> Double { Double(monotonicNanoseconds()) / 1e9 }
}
