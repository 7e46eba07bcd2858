import Foundation

/// A latch a test opens to let a response go on (see `TestResponse.Step.wait`), so that ordering can be
/// asserted without guessing at timings.
public final class TestGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    public init() {}

    public func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until open or `deadline`; true when open.
    func wait(until deadline: Date, or stop: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !isOpen && !stop() && Date() < deadline {
            _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.02)))
        }
        return isOpen
    }
}
