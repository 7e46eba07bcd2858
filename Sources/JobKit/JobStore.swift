import Foundation
import PackKit

/// The durable list of summarisation jobs: one SQLite file (WAL, so a `kill -9` at any moment loses no committed
/// row and never corrupts it; several ytce processes may share it). Every change is one transaction: a job is
/// written before `/run` is sent, and a summary is stored together with the state that says it is complete.
public final class JobStore: @unchecked Sendable {
    // All access goes through `lock`: the connection is used by one thread at a time.
    private let database: SQLiteDatabase
    private let lock = NSLock()
    public let path: String

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `$YTCE_DATA_DIR/jobs.sqlite`, else `$XDG_DATA_HOME/ytce/jobs.sqlite`, else `~/.local/share/ytce/jobs.sqlite`.
    public static func standardPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let dir = environment["YTCE_DATA_DIR"], !dir.isEmpty { base = dir }
        else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { base = xdg + "/ytce" }
        else { base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/ytce" }
        return base + "/jobs.sqlite"
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS job (
          job_id INTEGER PRIMARY KEY AUTOINCREMENT,
          source TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
          parent_id INTEGER REFERENCES job(job_id), part_index INTEGER,
          endpoint TEXT NOT NULL, runpod_id TEXT, state TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
          created_at REAL NOT NULL, submitted_at REAL, finished_at REAL, deadline REAL NOT NULL,
          polls INTEGER NOT NULL DEFAULT 0, next_poll_at REAL,
          out_dir TEXT, s3_prefix TEXT, pack_path TEXT, video_id TEXT,
          owner_pid INTEGER, prompt TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS job_open ON job(state, next_poll_at);
        CREATE INDEX IF NOT EXISTS job_parent ON job(parent_id, part_index);
        CREATE TABLE IF NOT EXISTS job_summary (
          job_id INTEGER PRIMARY KEY REFERENCES job(job_id), text TEXT NOT NULL, saved_at REAL NOT NULL);
        CREATE TABLE IF NOT EXISTS job_delivery (
          job_id INTEGER NOT NULL REFERENCES job(job_id), sink TEXT NOT NULL, location TEXT NOT NULL,
          delivered_at REAL, error TEXT, PRIMARY KEY (job_id, sink));
        CREATE TABLE IF NOT EXISTS watched_object (
          source TEXT NOT NULL, key TEXT NOT NULL, job_id INTEGER, seen_at REAL NOT NULL, PRIMARY KEY (source, key));
        """

    public init(path: String) throws(Problem) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch { throw Problem(description: "\(path): cannot create its folder: \(error.localizedDescription)") }
        do {
            database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
            try database.execute("PRAGMA busy_timeout = 10000")
            try database.execute("PRAGMA journal_mode = WAL")
            // NORMAL in WAL mode: a power cut may lose the last commits, a killed process loses none.
            try database.execute("PRAGMA synchronous = NORMAL")
            try database.execute("PRAGMA foreign_keys = ON")
            try immediate { try database.execute(Self.schema) }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "\(path): cannot open the job store: \(error)")
        }
    }

    /// A write transaction that takes the write lock up front (no lock upgrade that could fail under contention).
    private func immediate<T>(_ body: () throws -> T) throws -> T {
        try database.execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try database.execute("COMMIT")
            return value
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    // Statements prepared once per store and reused (a poller runs the same few hundreds of times a second).
    private var statements: [String: SQLiteStatement] = [:]

    /// The statement for `sql`, reset and ready to bind. Call with `lock` held.
    private func prepared(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] {
            statement.reset()
            return statement
        }
        let statement = try database.prepare(sql)
        statements[sql] = statement
        return statement
    }

    private func locked<T>(_ body: () throws -> T) throws(Problem) -> T {
        lock.lock()
        // A stepped but unfinished statement would hold a read transaction open: reset them all after each use.
        defer { for statement in statements.values { statement.reset() }; lock.unlock() }
        do { return try body() } catch let problem as Problem { throw problem } catch {
            throw Problem(description: "\(path): \(error)")
        }
    }

    // MARK: writing

    /// Records a job before anything is sent for it. With `unlessParentHas`, nothing is created (nil) when the
    /// parent already has a job of that role: checked and written in one transaction, so two processes finishing
    /// the last parts at once still create one combining job.
    public func create(source: String, name: String, role: Job.Role, parentID: Int64? = nil, partIndex: Int? = nil,
                       endpoint: String, prompt: String, outputs: JobOutputs, maxWait: Double,
                       state: JobState = .submitting, unlessParentHas: Job.Role? = nil,
                       now: Double = Date().timeIntervalSince1970) throws(Problem) -> Job? {
        try locked {
            let created: Bool = try immediate {
                if let existing = unlessParentHas, let parentID {
                    let check = try prepared("SELECT 1 FROM job WHERE parent_id = ?1 AND role = ?2")
                    check.bind(1, parentID); check.bind(2, existing.rawValue)
                    if try check.step() { return false }
                }
                let insert = try prepared("""
                    INSERT INTO job (source, name, role, parent_id, part_index, endpoint, state, created_at, deadline,
                                     out_dir, s3_prefix, pack_path, video_id, owner_pid, prompt)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                    """)
                insert.bind(1, source); insert.bind(2, name); insert.bind(3, role.rawValue)
                if let parentID { insert.bind(4, parentID) } else { insert.bindNull(4) }
                if let partIndex { insert.bind(5, partIndex) } else { insert.bindNull(5) }
                insert.bind(6, endpoint); insert.bind(7, state.rawValue); insert.bind(8, now); insert.bind(9, now + maxWait)
                insert.bind(10, outputs.directory); insert.bind(11, outputs.s3Prefix); insert.bind(12, outputs.packPath)
                insert.bind(13, outputs.videoID); insert.bind(14, Int(getpid())); insert.bind(15, prompt)
                try insert.run()
                return true
            }
            return created ? try fetch(database.lastInsertRowID) : nil
        }
    }

    /// `create` for a job that is always created.
    public func create(source: String, name: String, role: Job.Role, parentID: Int64? = nil, partIndex: Int? = nil,
                       endpoint: String, prompt: String, outputs: JobOutputs, maxWait: Double,
                       state: JobState = .submitting) throws(Problem) -> Job {
        guard let job = try create(source: source, name: name, role: role, parentID: parentID, partIndex: partIndex, endpoint: endpoint,
                                   prompt: prompt, outputs: outputs, maxWait: maxWait, state: state, unlessParentHas: nil) else {
            throw Problem(description: "\(path): the job was not created")
        }
        return job
    }

    /// `/run` answered: the job is on RunPod.
    public func submitted(_ id: Int64, runpodID: String, state: JobState, nextPollAt: Double,
                          now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try update(id, "runpod_id = ?2, state = ?3, submitted_at = ?4, next_poll_at = ?5, owner_pid = NULL, detail = ''") { s in
            s.bind(2, runpodID); s.bind(3, state.rawValue); s.bind(4, now); s.bind(5, nextPollAt)
        }
    }

    /// A poll's outcome for a job still open (or now closed without a summary).
    public func polled(_ id: Int64, state: JobState, detail: String, nextPollAt: Double?,
                       now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try update(id, "state = ?2, detail = ?3, next_poll_at = ?4, polls = polls + 1, finished_at = CASE WHEN ?5 THEN ?6 ELSE finished_at END") { s in
            s.bind(2, state.rawValue); s.bind(3, detail)
            if let nextPollAt { s.bind(4, nextPollAt) } else { s.bindNull(4) }
            s.bind(5, state.isFinal ? 1 : 0); s.bind(6, now)
        }
    }

    /// A poll that found a job as it was: only its count and next poll change.
    public struct RoutinePoll: Sendable {
        public var id: Int64
        public var nextPollAt: Double
    }

    /// Records routine polls together, in one transaction.
    public func polled(_ polls: [RoutinePoll]) throws(Problem) {
        guard !polls.isEmpty else { return }
        try locked {
            try immediate {
                let s = try prepared("UPDATE job SET next_poll_at = ?2, polls = polls + 1 WHERE job_id = ?1 AND state IN ('queued', 'in_progress')")
                for poll in polls {
                    s.bind(1, poll.id); s.bind(2, poll.nextPollAt)
                    try s.run()
                }
            }
        }
    }

    /// Changes the state (cancel, retry, gave up, a user's decision about an unknown submission).
    public func setState(_ id: Int64, _ state: JobState, detail: String, nextPollAt: Double? = nil,
                         now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try update(id, "state = ?2, detail = ?3, next_poll_at = ?4, owner_pid = NULL, finished_at = CASE WHEN ?5 THEN ?6 ELSE NULL END") { s in
            s.bind(2, state.rawValue); s.bind(3, detail)
            if let nextPollAt { s.bind(4, nextPollAt) } else { s.bindNull(4) }
            s.bind(5, state.isFinal ? 1 : 0); s.bind(6, now)
        }
    }

    /// Extends how long ytce waits for a job (retry, or the user asking for more time).
    public func setDeadline(_ id: Int64, _ deadline: Double) throws(Problem) {
        try update(id, "deadline = ?2") { $0.bind(2, deadline) }
    }

    /// Stores the summary and marks the job completed, together: a summary is never lost and never stored twice.
    public func complete(_ id: Int64, summary: String, now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try locked {
            try immediate {
                let save = try prepared("INSERT OR REPLACE INTO job_summary (job_id, text, saved_at) VALUES (?1, ?2, ?3)")
                save.bind(1, id); save.bind(2, summary); save.bind(3, now)
                try save.run()
                let mark = try prepared("UPDATE job SET state = 'completed', detail = '', next_poll_at = NULL, polls = polls + 1, finished_at = ?2 WHERE job_id = ?1")
                mark.bind(1, id); mark.bind(2, now)
                try mark.run()
            }
        }
    }

    public func recordDelivery(_ id: Int64, sink: String, location: String, error: String?, now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try locked {
            let s = try prepared("INSERT OR REPLACE INTO job_delivery (job_id, sink, location, delivered_at, error) VALUES (?1, ?2, ?3, ?4, ?5)")
            s.bind(1, id); s.bind(2, sink); s.bind(3, location)
            if error == nil { s.bind(4, now) } else { s.bindNull(4) }
            s.bind(5, error)
            try s.run()
        }
    }

    /// Remembers an object a watcher saw; false when it was seen before (so it is submitted only once).
    public func rememberWatched(source: String, key: String, now: Double = Date().timeIntervalSince1970) throws(Problem) -> Bool {
        try locked {
            let s = try prepared("INSERT OR IGNORE INTO watched_object (source, key, seen_at) VALUES (?1, ?2, ?3)")
            s.bind(1, source); s.bind(2, key); s.bind(3, now)
            try s.run()
            return (try database.scalarInt("SELECT changes()") ?? 0) > 0
        }
    }

    public func linkWatched(source: String, key: String, jobID: Int64) throws(Problem) {
        try locked {
            let s = try prepared("UPDATE watched_object SET job_id = ?3 WHERE source = ?1 AND key = ?2")
            s.bind(1, source); s.bind(2, key); s.bind(3, jobID)
            try s.run()
        }
    }

    /// Submissions whose process died between writing them and recording `/run`'s answer: RunPod may hold
    /// them or not. They become `submission_unknown` for the user to resolve. Returns how many.
    @discardableResult
    public func markOrphanedSubmissions() throws(Problem) -> Int {
        try locked {
            let rows = try prepared("SELECT job_id, owner_pid FROM job WHERE state = 'submitting'")
            var orphans: [Int64] = []
            while try rows.step() {
                let pid = pid_t(rows.int(1))
                if rows.isNull(1) || (kill(pid, 0) != 0 && errno == ESRCH) { orphans.append(rows.int64(0)) }
            }
            for id in orphans {
                let s = try prepared("UPDATE job SET state = 'submission_unknown', owner_pid = NULL, detail = ?2 WHERE job_id = ?1 AND state = 'submitting'")
                s.bind(1, id)
                s.bind(2, "ytce stopped while sending this job to RunPod: it may or may not be running there. Retry it to send it again (it may then run twice), or cancel it.")
                try s.run()
            }
            return orphans.count
        }
    }

    /// For tests: pretend another process wrote the submission.
    func rewriteOwner(_ id: Int64, pid: Int32) throws(Problem) {
        try update(id, "owner_pid = ?2") { $0.bind(2, Int(pid)) }
    }

    private func update(_ id: Int64, _ assignments: String, _ bind: (SQLiteStatement) -> Void) throws(Problem) {
        try locked {
            let s = try prepared("UPDATE job SET \(assignments) WHERE job_id = ?1")
            s.bind(1, id)
            bind(s)
            try s.run()
        }
    }

    // MARK: reading

    static let columns = """
        job_id, source, name, role, parent_id, part_index, endpoint, runpod_id, state, detail, created_at, submitted_at,
        finished_at, deadline, polls, next_poll_at, out_dir, s3_prefix, pack_path, video_id
        """

    private func read(_ s: SQLiteStatement) -> Job {
        func optionalDouble(_ c: Int32) -> Double? { s.isNull(c) ? nil : s.double(c) }
        return Job(id: s.int64(0), source: s.string(1) ?? "", name: s.string(2) ?? "",
                   role: Job.Role(rawValue: s.string(3) ?? "") ?? .single,
                   parentID: s.isNull(4) ? nil : s.int64(4), partIndex: s.isNull(5) ? nil : s.int(5),
                   endpoint: s.string(6) ?? "", runpodID: s.string(7),
                   state: JobState(rawValue: s.string(8) ?? "") ?? .failed, detail: s.string(9) ?? "",
                   createdAt: s.double(10), submittedAt: optionalDouble(11), finishedAt: optionalDouble(12),
                   deadline: s.double(13), polls: s.int(14), nextPollAt: optionalDouble(15),
                   outputs: JobOutputs(directory: s.string(16), s3Prefix: s.string(17), packPath: s.string(18), videoID: s.string(19)))
    }

    private func fetch(_ id: Int64) throws -> Job {
        let s = try prepared("SELECT \(Self.columns) FROM job WHERE job_id = ?1")
        s.bind(1, id)
        guard try s.step() else { throw Problem(description: "no job \(id) in \(path)") }
        return read(s)
    }

    public func job(_ id: Int64) throws(Problem) -> Job { try locked { try fetch(id) } }

    /// Jobs matching an SQL condition on the job table, newest first.
    private func jobs(where condition: String, order: String = "job_id DESC", bind: (SQLiteStatement) -> Void = { _ in }) throws(Problem) -> [Job] {
        try locked {
            let s = try prepared("SELECT \(Self.columns) FROM job WHERE \(condition) ORDER BY \(order)")
            bind(s)
            var out: [Job] = []
            while try s.step() { out.append(read(s)) }
            return out
        }
    }

    public func allJobs() throws(Problem) -> [Job] { try jobs(where: "1") }
    /// Jobs on RunPod that a poller must ask about, soonest first; with `dueBy`, only those due by then.
    public func jobsToPoll(dueBy: Double? = nil) throws(Problem) -> [Job] {
        try jobs(where: "state IN ('queued', 'in_progress') AND runpod_id IS NOT NULL AND next_poll_at <= ?1", order: "next_poll_at") {
            $0.bind(1, dueBy ?? .infinity)
        }
    }

    /// When the next poll is due (nil when no job is waiting on RunPod).
    public func nextPollTime() throws(Problem) -> Double? {
        try locked {
            let s = try prepared("SELECT min(next_poll_at) FROM job WHERE state IN ('queued', 'in_progress') AND runpod_id IS NOT NULL")
            guard try s.step(), !s.isNull(0) else { return nil }
            return s.double(0)
        }
    }

    /// How many of `ids` (all jobs when empty) are still open.
    public func openCount(among ids: Set<Int64> = []) throws(Problem) -> Int {
        try locked {
            let s = try prepared("SELECT job_id FROM job WHERE state IN ('queued', 'in_progress', 'waiting_for_parts')")
            var n = 0
            while try s.step() {
                if ids.isEmpty || ids.contains(s.int64(0)) { n += 1 }
            }
            return n
        }
    }

    /// Completed jobs whose summary has not reached every output it was meant for (a crash between saving and
    /// writing it, or a failed write).
    public func undelivered() throws(Problem) -> [Job] {
        try jobs(where: """
            state = 'completed' AND role IN ('single', 'parent') AND (
              (out_dir IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 'file' AND d.delivered_at IS NOT NULL)) OR
              (s3_prefix IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 's3' AND d.delivered_at IS NOT NULL)) OR
              (pack_path IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 'pack' AND d.delivered_at IS NOT NULL)))
            """, order: "job_id")
    }

    public func parts(of parentID: Int64) throws(Problem) -> [Job] {
        try jobs(where: "parent_id = ?1", order: "role = 'combine', part_index") { $0.bind(1, parentID) }
    }
    public func waitingParents() throws(Problem) -> [Job] { try jobs(where: "state = 'waiting_for_parts'") }

    public func summary(_ id: Int64) throws(Problem) -> String? {
        try locked {
            let s = try prepared("SELECT text FROM job_summary WHERE job_id = ?1")
            s.bind(1, id)
            return try s.step() ? s.string(0) : nil
        }
    }

    public func prompt(_ id: Int64) throws(Problem) -> String {
        try locked {
            let s = try prepared("SELECT prompt FROM job WHERE job_id = ?1")
            s.bind(1, id)
            return try s.step() ? s.string(0) ?? "" : ""
        }
    }

    public func deliveries(_ id: Int64) throws(Problem) -> [(sink: String, location: String, error: String?)] {
        try locked {
            let s = try prepared("SELECT sink, location, error FROM job_delivery WHERE job_id = ?1 ORDER BY sink")
            s.bind(1, id)
            var out: [(String, String, String?)] = []
            while try s.step() { out.append((s.string(0) ?? "", s.string(1) ?? "", s.string(2))) }
            return out
        }
    }
}
