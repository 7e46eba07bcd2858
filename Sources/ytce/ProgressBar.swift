import Foundation
import PackKit

/// A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var started: Date?

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: BuildProgress) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.05 || progress.done == progress.total else { return }
        lastDraw = now
        let width = 30
        let fraction = progress.total > 0 ? Double(progress.done) / Double(progress.total) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let begun = started ?? now
        started = begun
        var eta = ""
        let elapsed = now.timeIntervalSince(begun)
        if progress.done > 0 && progress.done < progress.total && elapsed > 1 {
            let left = elapsed / Double(progress.done) * Double(progress.total - progress.done)
            eta = left < 60 ? String(format: " · %.0f s left", left) : String(format: " · %.0f min left", left / 60)
        }
        let line = "\r\u{1B}[2K\(progress.phase) \(bar) \(progress.done)/\(progress.total)\(eta)"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }
}

/// Set by SIGINT/SIGTERM so long work can stop cleanly (and remove its temporary files).
/// A second signal exits at once.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private var sources: [DispatchSourceSignal] = []

    /// `onInterrupt` runs (on a background queue) at the first signal, e.g. to cancel a transfer.
    init(message: String = "interrupted: cleaning up…", onInterrupt: (@Sendable () -> Void)? = nil) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let again = self.set
                self.set = true
                self.lock.unlock()
                if again { exit(130) }
                FileHandle.standardError.write(Data("\r\(message)\n".utf8))
                onInterrupt?()
            }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
}
