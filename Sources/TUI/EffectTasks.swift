import Foundation

/// Runs effect work as tasks: a task with an id replaces a running one of that id; cancelled tasks' later
/// messages are dropped (so a stale answer stream cannot overwrite a new one).
final class EffectTasks<Msg: Sendable>: @unchecked Sendable {
    // Mutable fields are only touched under `lock`.
    private final class Entry: @unchecked Sendable {
        let id: String?
        var task: Task<Void, Never>?
        var cancelled = false
        init(id: String?) { self.id = id }
    }

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var tokensByID: [String: UInt64] = [:]
    private var nextToken: UInt64 = 0
    private let deliver: @Sendable (Msg) -> Void
    private let onFinish: @Sendable () -> Void

    /// `deliver` receives messages from any thread; `onFinish` is called when a task ends.
    init(deliver: @escaping @Sendable (Msg) -> Void, onFinish: @escaping @Sendable () -> Void = {}) {
        self.deliver = deliver
        self.onFinish = onFinish
    }

    var runningCount: Int { lock.withLock { entries.count } }
    var runningIDs: Set<String> { lock.withLock { Set(tokensByID.keys) } }

    func isRunning(id: String) -> Bool { lock.withLock { tokensByID[id] != nil } }

    func start(id: String?, work: @escaping @Sendable (MessageSink<Msg>) async -> Void) {
        let entry = Entry(id: id)
        let (token, replaced): (UInt64, Entry?) = lock.withLock {
            nextToken += 1
            let token = nextToken
            var replaced: Entry?
            if let id, let old = tokensByID[id], let oldEntry = entries[old] {
                oldEntry.cancelled = true
                entries[old] = nil
                replaced = oldEntry
            }
            entries[token] = entry
            if let id { tokensByID[id] = token }
            return (token, replaced)
        }
        replaced?.task?.cancel()
        let deliver = self.deliver
        // Delivered under the lock, so nothing gets through once `cancel`/`cancelAll` has marked the entry.
        let sink = MessageSink<Msg> { [weak self, entry] message in
            guard let self else { return }
            self.lock.withLock { if !entry.cancelled { deliver(message) } }
        }
        let task = Task.detached { [weak self] in
            await work(sink)
            self?.finished(token)
        }
        let cancelNow: Bool = lock.withLock {
            entry.task = task
            return entry.cancelled
        }
        if cancelNow { task.cancel() }
    }

    private func finished(_ token: UInt64) {
        lock.withLock {
            if let e = entries.removeValue(forKey: token), let id = e.id, tokensByID[id] == token {
                tokensByID[id] = nil
            }
        }
        onFinish()
    }

    func cancel(id: String) {
        let entry: Entry? = lock.withLock {
            guard let token = tokensByID.removeValue(forKey: id), let e = entries.removeValue(forKey: token) else { return nil }
            e.cancelled = true
            return e
        }
        entry?.task?.cancel()
    }

    func cancelAll() {
        let all: [Entry] = lock.withLock {
            let all = Array(entries.values)
            for e in all { e.cancelled = true }
            entries.removeAll()
            tokensByID.removeAll()
            return all
        }
        for e in all { e.task?.cancel() }
    }
}

/// A thread-safe message queue.
final class MessageQueue<Msg: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Msg] = []

    func push(_ m: Msg) { lock.withLock { items.append(m) } }

    func takeAll() -> [Msg] {
        lock.withLock {
            let out = items
            items.removeAll(keepingCapacity: true)
            return out
        }
    }

    var isEmpty: Bool { lock.withLock { items.isEmpty } }
}
