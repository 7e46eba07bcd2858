import XCTest
@testable import TUI

/// A tiny counter: +/- change it, "s" starts a slow increment effect, "c" cancels it, "t" starts a ticker,
/// "q" quits, "y" writes to the terminal.
struct Counter: Program {
    struct Model {
        var count = 0
        var ticks = 0
        var size = (0, 0)
        var field = TextField()
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
        case .key(.character("t")): return [.every(0.01, id: "tick") { .tick }]
        case .key(.character("T")): return [.cancel(id: "tick")]
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
        buffer.draw(StyledLine("count: \(model.count)"), in: inner)
        guard inner.height > 1 else { return }
        model.field.render(into: &buffer, area: Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: 1),
                           style: .plain, focused: true)
    }
}

final class ProgramDriverTests: XCTestCase {
    func testKeysAndScreen() {
        let d = ProgramDriver(Counter(), model: .init(), width: 20, height: 4)
        XCTAssertEqual(d.model.size.0, 20)
        d.press(.character("+"), .character("+"), .character("-"))
        XCTAssertEqual(d.model.count, 1)
        d.type("hi 漢")
        XCTAssertEqual(d.screen(), "┌─Counter──────────┐\n│count: 1          │\n│hi 漢             │\n└──────────────────┘")
        XCTAssertEqual(d.render().cursor, Point(x: 6, y: 2))
        XCTAssertEqual(d.render(width: 12, height: 3).text(), "┌─Counter──┐\n│count: 1  │\n└──────────┘")
    }

    func testEffectMessagesAreApplied() async {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("s"), .character("f"))
        let settled = await d.settle(timeout: 5)
        XCTAssertTrue(settled)
        XCTAssertEqual(d.model.count, 13)
        XCTAssertEqual(d.runningTaskCount, 0)
    }

    func testCancellationDropsTheTasksMessages() async {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("s"))
        XCTAssertEqual(d.runningTaskIDs, ["slow"])
        d.press(.character("c"))
        let settled = await d.settle(timeout: 5)
        XCTAssertTrue(settled)
        try? await Task.sleep(nanoseconds: 80_000_000)
        d.applyPending()
        XCTAssertEqual(d.model.count, 0)
    }

    func testSameIDReplacesRunningTask() async {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("s"), .character("s"), .character("s"))
        _ = await d.settle(timeout: 5)
        XCTAssertEqual(d.model.count, 10)  // only the last one delivered
    }

    func testTimerTicksUntilCancelled() async {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("t"))
        let ticked = await d.waitUntil(timeout: 5) { $0.ticks >= 3 }
        XCTAssertTrue(ticked)
        d.press(.character("T"))
        let settled = await d.settle(timeout: 5)
        XCTAssertTrue(settled)
        let after = d.model.ticks
        try? await Task.sleep(nanoseconds: 50_000_000)
        d.applyPending()
        XCTAssertEqual(d.model.ticks, after)
    }

    func testQuitAndTerminalWrites() {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("y"))
        XCTAssertEqual(d.terminalWrites, ["\u{1B}]52;c;eA==\u{7}"])
        XCTAssertFalse(d.didQuit)
        d.press(.control("c"))
        XCTAssertTrue(d.didQuit)
    }

    @MainActor
    func testUsableFromMainActor() async {
        let d = ProgramDriver(Counter(), model: .init())
        d.press(.character("f"))
        let ok = await d.settle()
        XCTAssertTrue(ok)
        XCTAssertEqual(d.model.count, 3)
    }
}
