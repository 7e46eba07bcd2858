import CCurl
import Foundation

/// The one thread that drives every transfer of an `HTTPClient` (and its copies) on one long-lived curl multi
/// handle. libcurl blocks, so this never runs on Swift's cooperative pool; and one thread waiting on all sockets
/// at once costs a fraction of a thread per request (a poller makes a hundred requests a second): a request is
/// one message in, one `curl_multi_wakeup` if the loop sleeps, and one continuation resume out.
///
/// - New transfers and cancellations arrive through `inbox`; `curl_multi_wakeup` ends the loop's wait at once,
///   so a cancelled transfer is dropped (its connection closed) within milliseconds, even while the server is silent.
/// - The loop enforces each transfer's idle and total timeouts to the millisecond (curl's own low-speed limit
///   counts whole seconds and cannot say which limit fired); the connect timeout is curl's.
/// - Easy handles go back to a small pool after each transfer (`curl_easy_reset` keeps the share and caches),
///   sparing an allocation and a full set-up per request.
/// - It is also a `TaskExecutor` (`HTTPClient.executor`): a task that prefers it runs between the loop's turns,
///   so a response resumes its waiting task without any thread hop (a poller's hundred requests a second).
/// - The thread starts with the first transfer (or task) and ends after `idleLifetime` without any; the multi
///   handle and its connections outlive it, until the client and all its copies are gone.
final class TransferLoop: TaskExecutor, @unchecked Sendable {
    private let share = ConnectionShare()
    private static let idleLifetime = Duration.seconds(30)
    private static let poolLimit = 32
    private static let idleConnectionLimit = 32

    private enum Message {
        case start(CurlTransfer)
        case cancel(Int)
        case job(UnownedJob)
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var multi: UnsafeMutableRawPointer?
    private var inbox: [Message] = []
    private var threadRunning = false
    /// The loop waits (or is about to) in `curl_multi_poll` and nobody has woken it yet.
    private var sleeping = false
    private var nextID = 0

    // Touched only on the loop thread.
    private var active: [Int: CurlTransfer] = [:]
    private var pool: [UnsafeMutableRawPointer] = []

    deinit {
        // No thread runs (it holds the loop) and no transfer is active (the thread runs while any is).
        for easy in pool { curl_easy_cleanup(easy) }
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Starts one attempt; `done` runs once, on the loop thread, with its result.
    func start(_ prepared: PreparedRequest, userAgent: String, proxy: HTTPClient.Proxy, control: HTTPCancellation,
               sink: (@Sendable (HTTPStreamEvent) -> Void)?, done: @escaping @Sendable (AttemptResult) -> Void) {
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        let transfer = CurlTransfer(id: id, prepared, userAgent: userAgent, proxy: proxy, control: control, sink: sink, done: done)
        if !post(.start(transfer)) {
            done(transfer.failure(.transport, "libcurl could not be initialised"))
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        // Without a multi handle there is no loop: the task runs on Swift's global executor instead.
        if !post(.job(unowned)) { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    private func cancel(_ id: Int) { post(.cancel(id)) }

    /// Hands a message to the loop, starting its thread or waking it as needed; false when libcurl is unusable.
    @discardableResult
    private func post(_ message: Message) -> Bool {
        lock.lock()
        if multi == nil && curlReady {
            multi = curl_multi_init()
            // curl's default keeps 4 idle connections per transfer in flight: between a poller's rounds that is a
            // handful, and every round would open (and the server accept) new ones.
            if let multi { _ = ytce_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.idleConnectionLimit) }
        }
        guard let multi else {
            lock.unlock()
            return false
        }
        inbox.append(message)
        let wake = takeSleeper()
        let spawn = !threadRunning
        threadRunning = true
        lock.unlock()
        if spawn {
            Thread { [self] in run() }.start()
        } else if wake {
            curl_multi_wakeup(multi)
        }
        return true
    }

    /// Whether the caller must wake the loop (only the first caller after it fell asleep does). Under `lock`.
    private func takeSleeper() -> Bool {
        guard sleeping else { return false }
        sleeping = false
        return true
    }

    // MARK: the loop thread

    private func run() {
        Thread.current.name = "ytce-http"
        // Set before the first thread started, never changed after.
        guard let multi = lock.withLock({ self.multi }) else { return }
        var idleSince = ContinuousClock.now
        while true {
            lock.lock()
            let messages = inbox
            inbox.removeAll(keepingCapacity: true)
            sleeping = false
            lock.unlock()
            for message in messages {
                switch message {
                case .start(let transfer): add(transfer, to: multi)
                case .cancel(let id): if let transfer = active[id] { finish(transfer, transfer.cancelled(), in: multi) }
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }

            if !active.isEmpty {
                var running: Int32 = 0
                let code = curl_multi_perform(multi, &running)
                if code != CURLM_OK {
                    let detail = String(cString: curl_multi_strerror(code))
                    for transfer in Array(active.values) { finish(transfer, transfer.failure(.transport, detail), in: multi) }
                }
                var queued: Int32 = 0
                while let message = curl_multi_info_read(multi, &queued) {
                    guard message.pointee.msg == CURLMSG_DONE, let transfer = transfer(of: message.pointee.easy_handle) else { continue }
                    finish(transfer, transfer.completed(ytce_curl_msg_result(message)), in: multi)
                }
            }

            // Timeouts, and how long the wait may last: until data, a curl timer, the nearest deadline or a message.
            let now = ContinuousClock.now
            var wait = Duration.seconds(1)
            for transfer in Array(active.values) {
                switch transfer.checkDeadlines(now: now) {
                case .expired(let result): finish(transfer, result, in: multi)
                case .wait(let left): wait = min(wait, left)
                }
            }
            if active.isEmpty {
                let left = idleSince + Self.idleLifetime - now
                if left <= .zero {
                    lock.lock()
                    if inbox.isEmpty {
                        threadRunning = false
                        lock.unlock()
                        return
                    }
                    lock.unlock()
                    continue
                }
                wait = min(Duration.seconds(5), left)
            } else {
                idleSince = now
            }

            lock.lock()
            let mayWait = inbox.isEmpty
            if mayWait { sleeping = true }
            lock.unlock()
            if mayWait {
                let waitMs = max(1, Int32((Double(wait.components.seconds) * 1000
                                           + Double(wait.components.attoseconds) / 1e15).rounded(.up)))
                curl_multi_poll(multi, nil, 0, waitMs, nil)
            }
        }
    }

    private func add(_ transfer: CurlTransfer, to multi: UnsafeMutableRawPointer) {
        if transfer.control.isCancelled { return transfer.done(transfer.cancelled()) }
        guard let easy = pool.popLast() ?? newEasyHandle() else {
            return transfer.done(transfer.failure(.transport, "libcurl could not be initialised"))
        }
        if let problem = transfer.configure(easy) {
            recycle(easy)
            return transfer.done(problem)
        }
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            recycle(easy)
            return transfer.done(transfer.failure(.transport, "libcurl could not start the transfer"))
        }
        transfer.begin(easy)
        active[transfer.id] = transfer
        let id = transfer.id
        // Registered here, on the loop thread, so that `finish` removes it after it surely exists. Runs at once
        // when already cancelled (the message then ends the transfer on the next turn).
        transfer.wakeToken = transfer.control.onCancel { [weak self] in self?.cancel(id) }
    }

    /// Ends an active transfer: off the multi handle (a transfer cut short closes its connection), the easy
    /// handle back to the pool, then the result to its waiter.
    private func finish(_ transfer: CurlTransfer, _ result: AttemptResult, in multi: UnsafeMutableRawPointer) {
        guard active.removeValue(forKey: transfer.id) != nil, let easy = transfer.easy else { return }
        transfer.control.remove(transfer.wakeToken)
        curl_multi_remove_handle(multi, easy)
        recycle(easy)
        transfer.easy = nil
        transfer.done(result)
    }

    private func transfer(of easy: UnsafeMutableRawPointer?) -> CurlTransfer? {
        guard let easy else { return nil }
        var pointer: UnsafeMutableRawPointer?
        guard ytce_curl_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { return nil }
        // CURLOPT_PRIVATE holds the transfer unretained; `active` keeps it alive while it is on the multi handle.
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
        return active[transfer.id] === transfer ? transfer : nil
    }

    private func newEasyHandle() -> UnsafeMutableRawPointer? {
        guard let easy = curl_easy_init() else { return nil }
        if let handle = share.handle { _ = ytce_curl_setopt_share(easy, handle) }
        return easy
    }

    /// Clears a handle's options (its share, connections and caches stay) for the next transfer.
    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if pool.count < Self.poolLimit {
            curl_easy_reset(easy)
            pool.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }
}
