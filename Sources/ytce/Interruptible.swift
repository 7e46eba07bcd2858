import Foundation

/// Runs `body` in a task that Ctrl-C cancels (saying `message`); an interrupted run exits 130.
func interruptible<T: Sendable>(_ message: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    let interrupt = InterruptFlag(message: message, onInterrupt: { task.cancel() })
    defer { withExtendedLifetime(interrupt) {} }
    do { return try await task.value } catch {
        if interrupt.isSet || error is CancellationError { throw fail("interrupted", code: 130) }
        throw error
    }
}
