import Foundation

/// Threads for curl transfers. A transfer blocks its thread (in `curl_multi_poll`) until it ends, so each one
/// needs a thread to itself, never one of Swift's cooperative threads; but starting a thread per request costs a
/// clone, a stack and an exit every time (a poller makes a hundred requests a second). Finished threads wait
/// for the next transfer and end after 30 idle seconds; there are never fewer threads than running transfers.
final class TransferThreads: @unchecked Sendable {
    static let shared = TransferThreads()

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var idle = 0

    func run(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        // Every queued transfer needs a waiting thread of its own, or a new one: a long stream must never
        // hold up another request.
        if queue.count > idle {
            let thread = Thread { [self] in loop() }
            thread.name = "ytce-http"
            thread.start()
        } else {
            condition.signal()
        }
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while true {
            while queue.isEmpty {
                idle += 1
                let woken = condition.wait(until: Date().addingTimeInterval(30))
                idle -= 1
                if !woken && queue.isEmpty {
                    condition.unlock()
                    return
                }
            }
            let work = queue.removeFirst()
            condition.unlock()
            work()
            condition.lock()
        }
    }
}
