import Foundation

/// A switch that cancels transfers from anywhere (Esc in the TUI, Ctrl-C in the CLI). One handle may
/// serve several requests; cancelling stops every transfer in flight under it at once (the socket is
/// closed within milliseconds, even while the server is silent), and any later request under it fails
/// with `.cancelled` before it starts. Task cancellation has the same effect on the task's own requests.
public final class HTTPCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var nextToken = 0
    private var actions: [Int: @Sendable () -> Void] = [:]

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        defer { lock.unlock() }
        guard !cancelled else { return }
        cancelled = true
        // Run under the lock: `remove` then guarantees an action never runs after it returns.
        for action in actions.values { action() }
        actions.removeAll()
    }

    /// Runs `action` on cancellation (at once when already cancelled). The action must be quick and
    /// must not touch this handle. Returns a token for `remove`.
    @discardableResult
    func onCancel(_ action: @escaping @Sendable () -> Void) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        if cancelled {
            action()
            return nil
        }
        nextToken += 1
        actions[nextToken] = action
        return nextToken
    }

    func remove(_ token: Int?) {
        guard let token else { return }
        lock.lock()
        defer { lock.unlock() }
        actions[token] = nil
    }
}
