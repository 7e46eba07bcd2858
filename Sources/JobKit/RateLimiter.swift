import Foundation

/// A token bucket shared by all polls of one endpoint: RunPod allows 2000 `/status` requests per 10 s; ytce
/// stays well under (150 per second, bursts of 150), so 500 open jobs at 5 s intervals (100 per second) pass.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var updated = ContinuousClock.now

    init(perSecond rate: Double = 150, burst: Double = 150) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
    }

    /// Waits until a request may go.
    func acquire() async {
        while true {
            let wait: Double = lock.withLock {
                let now = ContinuousClock.now
                let elapsed = now - updated
                tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
                updated = now
                if tokens >= 1 {
                    tokens -= 1
                    return 0
                }
                return (1 - tokens) / rate
            }
            if wait == 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }
}
