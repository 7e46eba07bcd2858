import Foundation

/// A token bucket shared by all polls of one endpoint: RunPod allows 2000 `/status` requests per 10 s; ytce
/// stays well under (150 per second, bursts of 150), so 500 open jobs at 5 s intervals (100 per second) pass.
///
/// A request that finds the bucket empty takes a token on credit and sleeps once, exactly until that token is
/// due: waiters go in turn, one wake-up each (retrying on a timer would wake every waiter for every token).
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let rate: Double
    private let burst: Double
    // Guarded by `lock`; negative when tokens are owed to sleeping requests.
    private var tokens: Double
    private var updated = ContinuousClock.now

    init(perSecond rate: Double = 150, burst: Double = 150) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
    }

    /// Waits until a request may go; returns how long it waited (seconds).
    @discardableResult
    func acquire() async -> Double {
        let wait: Double = lock.withLock {
            let now = ContinuousClock.now
            let elapsed = now - updated
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            updated = now
            tokens -= 1
            return tokens >= 0 ? 0 : -tokens / rate
        }
        if wait > 0 {
            do { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) } catch {
                // Cancelled while waiting: the token taken on credit goes back, so later waiters do not pay for it.
                lock.withLock { tokens = min(burst, tokens + 1) }
            }
        }
        return wait
    }
}
