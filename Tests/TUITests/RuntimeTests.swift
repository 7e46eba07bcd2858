import XCTest
@testable import TUI

/// A tiny counter: +/- change it, "s" starts a slow increment effect, "c" cancels it, "t" starts a ticker,
/// "a" arms a one-shot timer, "q" quits, "y" writes to the terminal; other keys edit a text field.
struct Counter: Program {
    struct Model {
        var count = 0
        var ticks = 0
        var size = (0, 0)
        var field = TextField()
        var keys = 0
    }

    enum Msg: Sendable {
        case key(Key)
        case resized(Int, Int)
        case added(Int)
        case tick
        case other
    }

    func message(for event: InputEvent) -> Msg {
        switch event {
        case .key(let k): return .key(k)
        case .resize(let w, let h): return .resized(w, h)
        case .mouse: return .other
        }
    }

    func update(_ model: inout Model, _ message: Msg) -> [Effect<Msg>] {
        if case .key = message { model.keys += 1 }
        switch message {
        case .key(.character("+")): model.count += 1
        case .key(.character("-")): model.count -= 1
        case .key(.character("s")):
            return [.task("slow") { sink in
                try? await Task.sleep(nanoseconds: 50_000_000)
                if Task.isCancelled { return }
                sink.send(.added(10))
            }]
        case .key(.character("f")):
            return [.task("fast") { sink in sink.send(.added(1)); sink.send(.added(2)) }]
        case .key(.character("c")): return [.cancel(id: "slow")]
        case .key(.character("t")): return [.every(60, id: "tick") { .tick }]
        case .key(.character("T")): return [.cancel(id: "tick")]
        case .key(.character("a")): return [.after(30, id: "alarm") { .added(100) }]
        case .key(.character("m")): return [.send(.added(1000))]
        case .key(.character("y")): return [.writeTerminal("\u{1B}]52;c;eA==\u{7}")]
        case .key(.character("q")), .key(.control("c")): return [.quit]
        case .key(let k): model.field.handle(k)
        case .resized(let w, let h): model.size = (w, h)
        case .added(let n): model.count += n
        case .tick: model.ticks += 1
        case .other: break
        }
        return []
    }

    func view(_ model: Model, into buffer: inout CellBuffer) {
        let inner = Block(title: "Counter").render(into: &buffer, area: buffer.area)
        buffer.draw(StyledLine("count: \(model.count)", style: Style(foreground: .indexed(model.count < 0 ? 1 : 2))), in: inner)
        guard inner.height > 1 else { return }
        model.field.render(into: &buffer, area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1),
                           style: .plain, focused: true)
    }
}

/// The runtime's one loop, turned by hand on the in-memory backend.
final class RuntimeTests: XCTestCase {
    func counter(width: Int = 20, height: Int = 4) -> Runtime<Counter, TestBackend> {
        Runtime(program: Counter(), model: .init(), backend: TestBackend(width: width, height: height))
    }

    func testKeysScreenAndStyles() {
        let r = counter()
        r.runPending()
        XCTAssertEqual(r.model.size.0, 20, "the first message is the terminal's size")
        r.press(.character("+"), .character("+"), .character("-"))
        XCTAssertEqual(r.model.count, 1)
        r.type("hi 漢")
        XCTAssertEqual(r.screen, "┌─Counter──────────┐\n│count: 1          │\n│hi 漢             │\n└──────────────────┘")
        XCTAssertEqual(r.frame.cursor, Point(x: 6, y: 2))
        // Styles are asserted as well as text.
        XCTAssertEqual(r.frame[1, 1].style.foreground, .indexed(2))
        r.press(.character("-"), .character("-"))
        XCTAssertEqual(r.frame[1, 1].style.foreground, .indexed(1))
        r.resize(width: 12, height: 3)
        XCTAssertEqual(r.model.size.0, 12)
        XCTAssertEqual(r.screen, "┌─Counter──┐\n│count: -1 │\n└──────────┘")
    }

    func testEffectMessagesAreApplied() async {
        let r = counter()
        r.press(.character("s"), .character("f"))
        let settled = await r.settle(timeout: 5)
        XCTAssertTrue(settled)
        XCTAssertEqual(r.model.count, 13)
        XCTAssertTrue(r.screen.contains("count: 13"), r.screen)
        XCTAssertEqual(r.runningTaskCount, 0)
    }

    func testCancellationDropsTheTasksMessages() async {
        let r = counter()
        r.press(.character("s"))
        XCTAssertEqual(r.runningTaskIDs, ["slow"])
        r.press(.character("c"))
        let settled = await r.settle(timeout: 5)
        XCTAssertTrue(settled)
        try? await Task.sleep(nanoseconds: 80_000_000)
        r.runPending()
        XCTAssertEqual(r.model.count, 0)
    }

    func testSameIDReplacesRunningTask() async {
        let r = counter()
        r.press(.character("s"), .character("s"), .character("s"))
        _ = await r.settle(timeout: 5)
        XCTAssertEqual(r.model.count, 10)  // only the last one delivered
    }

    /// Timers belong to the loop and run on the backend's clock: moving the clock fires them, at once.
    func testTimersFollowTheBackendsClock() {
        let r = counter()
        r.press(.character("t"), .character("a"))
        XCTAssertEqual(r.runningTaskIDs, ["tick", "alarm"])
        XCTAssertEqual(r.model.ticks, 0)
        r.advanceClock(by: 30)
        XCTAssertEqual(r.model.count, 100, "the one-shot timer fired")
        XCTAssertEqual(r.model.ticks, 0)
        r.advanceClock(by: 30)
        XCTAssertEqual(r.model.ticks, 1)
        r.advanceClock(by: 600)
        XCTAssertEqual(r.model.ticks, 2, "a late loop fires a repeating timer once, not once per missed interval")
        r.advanceClock(by: 60)
        XCTAssertEqual(r.model.ticks, 3)
        r.press(.character("T"))
        r.advanceClock(by: 600)
        XCTAssertEqual(r.model.ticks, 3)
        XCTAssertEqual(r.runningTaskIDs, [])
        XCTAssertEqual(r.model.count, 100)
    }

    func testAMessageEffectIsAppliedOnTheNextTurn() {
        let r = counter()
        r.press(.character("m"))
        XCTAssertEqual(r.model.count, 1000)
    }

    /// Input that arrives together is applied in one turn and painted once.
    func testABurstOfInputIsOneFrame() {
        let r = counter(width: 40)
        r.runPending()
        let before = r.backend.paints
        r.backend.resize(width: 30, height: 4)
        r.burst(Array(repeating: .key(.character("+")), count: 500))
        XCTAssertEqual(r.model.count, 500)
        XCTAssertEqual(r.model.size.0, 30)
        XCTAssertEqual(r.backend.paints, before + 1)
        XCTAssertTrue(r.screen.contains("count: 500"), r.screen)
        XCTAssertEqual(r.frame.width, 30)
    }

    /// Raw terminal bytes go through the decoder; a hostile mouse report is dropped.
    func testRawInputBytes() {
        let r = counter()
        r.input(bytes: Array("+\u{1B}[<0;-9223372036854775808;5M+é\u{1B}[A\u{1B}x".utf8))
        XCTAssertEqual(r.model.count, 2)
        XCTAssertEqual(r.model.field.value, "é")
        XCTAssertEqual(r.model.keys, 5, "+, +, é, ↑, Alt-x")
    }

    func testQuitTerminalWritesAndHangUp() {
        let r = counter()
        r.press(.character("y"))
        XCTAssertEqual(r.backend.writes, ["\u{1B}]52;c;eA==\u{7}"])
        XCTAssertFalse(r.isFinished)
        r.press(.control("c"))
        XCTAssertTrue(r.isFinished)
        let other = counter()
        other.runPending()
        other.backend.hangUp()
        other.runPending()
        XCTAssertTrue(other.isFinished)
    }

    /// `run()` blocks until the program quits; effects wake it from other threads.
    func testRunOnItsOwnThreadIsWokenByEffects() {
        let backend = TestBackend(width: 20, height: 4)
        let r = Runtime(program: Counter(), model: .init(), backend: backend)
        let done = expectation(description: "run returned")
        nonisolated(unsafe) let loop = r
        let thread = Thread { loop.run(); done.fulfill() }
        thread.start()
        backend.send([.key(.character("f"))])
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !backend.buffer.text().contains("count: 3") { Thread.sleep(forTimeInterval: 0.005) }
        XCTAssertTrue(backend.buffer.text().contains("count: 3"), backend.buffer.text())
        backend.send([.key(.character("q"))])
        wait(for: [done], timeout: 5)
        XCTAssertEqual(r.model.count, 3)
    }

    @MainActor
    func testUsableFromMainActor() async {
        let r = counter()
        r.press(.character("f"))
        let ok = await r.settle()
        XCTAssertTrue(ok)
        XCTAssertEqual(r.model.count, 3)
    }
}
