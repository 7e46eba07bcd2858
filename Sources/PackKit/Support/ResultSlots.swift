import Foundation

/// Results of a parallel loop, one slot per iteration: each index is written by one thread, and the values
/// are read (in index order) after the loop ends.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func values() -> [T] { lock.lock(); defer { lock.unlock() }; return slots.compactMap { $0 } }
}
