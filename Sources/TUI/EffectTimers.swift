/// The runtime's timers (`Effect.timer`): deadlines on the backend's clock, fired by the loop itself.
struct EffectTimers<Msg: Sendable> {
    private struct Entry {
        var id: String?
        var deadline: Double
        var every: Double?
        var message: @Sendable () -> Msg
        var serial: UInt64
    }

    private var entries: [Entry] = []
    private var nextSerial: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var ids: Set<String> { Set(entries.compactMap(\.id)) }

    /// Adds a timer; one with the same id is replaced.
    mutating func add(id: String?, after: Double, every: Double?, now: Double, message: @escaping @Sendable () -> Msg) {
        if let id { cancel(id: id) }
        nextSerial += 1
        // A repeating timer never fires faster than once a millisecond.
        let interval = every.map { max(0.001, $0) }
        entries.append(Entry(id: id, deadline: now + max(0, after), every: interval, message: message, serial: nextSerial))
    }

    mutating func cancel(id: String) { entries.removeAll { $0.id == id } }

    mutating func removeAll() { entries.removeAll() }

    /// The earliest deadline, if any timer runs.
    var nextDeadline: Double? { entries.map(\.deadline).min() }

    /// The messages of the timers due at `now`, oldest deadline first; repeating timers are re-armed from their
    /// deadline (a late loop fires a repeating timer once, not once per missed interval).
    mutating func fire(now: Double) -> [Msg] {
        let due = entries.filter { $0.deadline <= now }.sorted { ($0.deadline, $0.serial) < ($1.deadline, $1.serial) }
        guard !due.isEmpty else { return [] }
        var messages: [Msg] = []
        for timer in due {
            guard let i = entries.firstIndex(where: { $0.serial == timer.serial }) else { continue }
            messages.append(timer.message())
            if let every = timer.every {
                var next = timer.deadline + every
                if next <= now { next = now + every }
                entries[i].deadline = next
            } else {
                entries.remove(at: i)
            }
        }
        return messages
    }
}
