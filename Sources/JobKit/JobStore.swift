import Foundation
import PackKit

/// The durable list of summarisation jobs: one SQLite file (WAL, so a `kill -9` at any moment loses no committed
/// row and never corrupts it; several ytce processes may share it). Every change is one transaction: a job is
/// written before `/run` is sent, and a summary is stored together with the state that says it is complete.
///
/// Leases: a runner claims a job (`lease_owner`, `lease_until`, `lease_pid`) before it polls, sends or delivers it,
/// so any number of runners (`ytce jobs wait` processes, the TUI) share one store and each summary is delivered
/// exactly once. A lease ends when its holder releases it, when it expires, or at once when its process is gone.
public final class JobStore: @unchecked Sendable {
    // All access goes through `lock`: the connection is used by one thread at a time.
    private let database: SQLiteDatabase
    private let lock = NSLock()
    public let path: String

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The store in the data folder `AppPaths` names: `$YTCE_DATA_DIR/jobs.sqlite`, else
    /// `$XDG_DATA_HOME/ytce/jobs.sqlite`, else `~/.local/share/ytce/jobs.sqlite`.
    public static func standardPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        AppPaths(environment: environment).jobStore
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
          owner_pid INTEGER, prompt TEXT NOT NULL, lease_owner TEXT, lease_until REAL, lease_pid INTEGER);
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
            database = try SQLiteDatabase.sharedStore(path: path, busyTimeoutMs: 10_000)
            try database.execute("PRAGMA foreign_keys = ON")
            try immediate {
                try database.execute(Self.schema)
                // Stores written before leases existed gain their columns.
                let columns = try database.strings("SELECT name FROM pragma_table_info('job')")
                for (name, type) in [("lease_owner", "TEXT"), ("lease_until", "REAL"), ("lease_pid", "INTEGER")] where !columns.contains(name) {
                    try database.execute("ALTER TABLE job ADD COLUMN \(name) \(type)")
                }
                try database.execute("CREATE INDEX IF NOT EXISTS job_lease ON job(lease_pid) WHERE lease_owner IS NOT NULL")
            }
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
    /// `endpoint`: where RunPod took it (a job sent again after the endpoint was changed went to the new one).
    public func submitted(_ id: Int64, runpodID: String, state: JobState, nextPollAt: Double, endpoint: String? = nil,
                          now: Double = Date().timeIntervalSince1970) throws(Problem) {
        try update(id, "runpod_id = ?2, state = ?3, submitted_at = ?4, next_poll_at = ?5, endpoint = COALESCE(?6, endpoint), owner_pid = NULL, detail = '', \(Self.noLease)") { s in
            s.bind(2, runpodID); s.bind(3, state.rawValue); s.bind(4, now); s.bind(5, nextPollAt)
            if let endpoint { s.bind(6, endpoint) } else { s.bindNull(6) }
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

    /// Records routine polls together, in one transaction, and releases their leases (only those `owner` still holds:
    /// a job whose lease expired and went to another runner is that runner's now).
    public func polled(_ polls: [RoutinePoll], owner: String) throws(Problem) {
        guard !polls.isEmpty else { return }
        try locked {
            try immediate {
                let s = try prepared("""
                    UPDATE job SET next_poll_at = ?2, polls = polls + 1, \(Self.noLease)
                    WHERE job_id = ?1 AND state IN ('queued', 'in_progress') AND (lease_owner IS NULL OR lease_owner = ?3)
                    """)
                for poll in polls {
                    s.bind(1, poll.id); s.bind(2, poll.nextPollAt); s.bind(3, owner)
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

    /// The job is about to be sent again by this process (a user's retry): `submitting`, owned by this process, so
    /// that no other process takes it for a submission cut off by a crash.
    public func beginSubmission(_ id: Int64) throws(Problem) {
        try update(id, "state = 'submitting', detail = '', owner_pid = ?2, next_poll_at = NULL, finished_at = NULL") { $0.bind(2, Int(getpid())) }
    }

    /// Extends how long ytce waits for a job (retry, or the user asking for more time).
    public func setDeadline(_ id: Int64, _ deadline: Double) throws(Problem) {
        try update(id, "deadline = ?2") { $0.bind(2, deadline) }
    }

    /// Stores the summary and marks the job completed, together: a summary is never lost and never stored twice.
    /// Only one caller completes a job: false (and nothing written) when it is completed already. The job stays
    /// leased to `owner` for `leaseSeconds`, for the deliveries that follow.
    @discardableResult
    public func complete(_ id: Int64, summary: String, owner: String, leaseSeconds: Double,
                         now: Double = Date().timeIntervalSince1970) throws(Problem) -> Bool {
        try locked {
            try immediate {
                let mark = try prepared("""
                    UPDATE job SET state = 'completed', detail = '', next_poll_at = NULL, polls = polls + 1, finished_at = ?2,
                      lease_owner = ?3, lease_until = ?4, lease_pid = ?5
                    WHERE job_id = ?1 AND state != 'completed'
                    """)
                mark.bind(1, id); mark.bind(2, now); mark.bind(3, owner); mark.bind(4, now + leaseSeconds); mark.bind(5, Int(getpid()))
                try mark.run()
                guard (try database.scalarInt("SELECT changes()") ?? 0) > 0 else { return false }
                let save = try prepared("INSERT OR REPLACE INTO job_summary (job_id, text, saved_at) VALUES (?1, ?2, ?3)")
                save.bind(1, id); save.bind(2, summary); save.bind(3, now)
                try save.run()
                return true
            }
        }
    }

    // MARK: leases

    static let noLease = "lease_owner = NULL, lease_until = NULL, lease_pid = NULL"
    /// A job that may be claimed at `?2` (now): not leased, or its lease expired. A job its own runner holds is not
    /// claimable either: that runner is busy with it.
    static let claimable = "(lease_owner IS NULL OR lease_until <= ?2)"

    /// Ends the leases of processes that are gone (killed, crashed): their jobs need not wait for the leases to expire.
    /// Call with `lock` held, in a transaction.
    private func releaseDeadLeases(owner: String, now: Double) throws {
        let holders = try prepared("SELECT DISTINCT lease_pid FROM job WHERE lease_owner IS NOT NULL AND lease_owner != ?1 AND lease_until > ?2")
        holders.bind(1, owner); holders.bind(2, now)
        var dead: [Int] = []
        while try holders.step() {
            let pid = holders.int(0)
            if pid <= 0 || pid > Int(Int32.max) || (kill(pid_t(pid), 0) != 0 && errno == ESRCH) { dead.append(pid) }
        }
        holders.reset()
        for pid in dead {
            let release = try prepared("UPDATE job SET \(Self.noLease) WHERE lease_pid = ?1 AND lease_owner IS NOT NULL")
            release.bind(1, pid)
            try release.run()
        }
    }

    /// Claims the jobs due by `dueBy` that `owner` may take, for `leaseSeconds`: jobs on RunPod to poll and jobs
    /// waiting to be sent again. Soonest first.
    public func claimDue(owner: String, dueBy: Double, leaseSeconds: Double, now: Double = Date().timeIntervalSince1970) throws(Problem) -> [Job] {
        try claim(owner: owner, leaseSeconds: leaseSeconds, now: now, condition: """
            ((state IN ('queued', 'in_progress') AND runpod_id IS NOT NULL) OR state = 'waiting_to_submit') AND next_poll_at <= ?4
            """, bind: { $0.bind(4, dueBy) }).sorted { ($0.nextPollAt ?? 0, $0.id) < ($1.nextPollAt ?? 0, $1.id) }
    }

    /// Claims completed jobs whose summary has not been written to some output yet (nothing recorded for it: the
    /// process that saved the summary stopped before delivering it). A failed delivery is recorded and left for
    /// the user to redo (`claimForDelivery`).
    public func claimUndelivered(owner: String, leaseSeconds: Double, now: Double = Date().timeIntervalSince1970) throws(Problem) -> [Job] {
        try claim(owner: owner, leaseSeconds: leaseSeconds, now: now, condition: """
            state = 'completed' AND role IN ('single', 'parent') AND (
              (out_dir IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 'file')) OR
              (s3_prefix IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 's3')) OR
              (pack_path IS NOT NULL AND video_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 'pack')))
            """).sorted { $0.id < $1.id }
    }

    /// Claims completed jobs whose summary waits to go into its pack (no pack delivery recorded yet): the runner
    /// puts them in together, one rewrite of each pack per batch. Oldest first.
    public func claimPackAttachments(owner: String, leaseSeconds: Double, now: Double = Date().timeIntervalSince1970) throws(Problem) -> [Job] {
        try claim(owner: owner, leaseSeconds: leaseSeconds, now: now, condition: """
            state = 'completed' AND role IN ('single', 'parent') AND pack_path IS NOT NULL AND video_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM job_delivery d WHERE d.job_id = job.job_id AND d.sink = 'pack')
            """).sorted { $0.id < $1.id }
    }

    /// Claims one job for `owner` whatever its state (a user's explicit action: deliver again); nil when another
    /// runner holds it.
    public func claim(_ id: Int64, owner: String, leaseSeconds: Double, now: Double = Date().timeIntervalSince1970) throws(Problem) -> Job? {
        try claim(owner: owner, leaseSeconds: leaseSeconds, now: now, condition: "job_id = ?4", bind: { $0.bind(4, id) }).first
    }

    /// Leases every job matching `condition` (which may use ?4 and on) that `owner` may claim; returns them.
    private func claim(owner: String, leaseSeconds: Double, now: Double, condition: String,
                       bind: (SQLiteStatement) -> Void = { _ in }) throws(Problem) -> [Job] {
        var claimed: [Job] = []
        try locked {
            try immediate {
                try releaseDeadLeases(owner: owner, now: now)
                let s = try prepared("""
                    UPDATE job SET lease_owner = ?1, lease_until = ?3, lease_pid = ?5
                    WHERE \(condition) AND \(Self.claimable)
                    RETURNING \(Self.columns)
                    """)
                s.bind(1, owner); s.bind(2, now); s.bind(3, now + leaseSeconds); s.bind(5, Int(getpid()))
                bind(s)
                while try s.step() { claimed.append(read(s)) }
                s.reset()
            }
        }
        return claimed
    }

    /// Extends `owner`'s lease of a job; false when it lost it (expired and claimed by another runner).
    public func renew(_ id: Int64, owner: String, leaseSeconds: Double, now: Double = Date().timeIntervalSince1970) throws(Problem) -> Bool {
        try locked {
            let s = try prepared("UPDATE job SET lease_until = ?3, lease_pid = ?4 WHERE job_id = ?5 AND lease_owner = ?1 AND lease_until > ?2")
            s.bind(1, owner); s.bind(2, now); s.bind(3, now + leaseSeconds); s.bind(4, Int(getpid())); s.bind(5, id)
            try s.run()
            return (try database.scalarInt("SELECT changes()") ?? 0) > 0
        }
    }

    /// Gives the job back (only when `owner` still holds it).
    public func release(_ id: Int64, owner: String) throws(Problem) {
        try locked {
            let s = try prepared("UPDATE job SET \(Self.noLease) WHERE job_id = ?1 AND lease_owner = ?2")
            s.bind(1, id); s.bind(2, owner)
            try s.run()
        }
    }

    /// RunPod refused `/run` (or no connection was made): the job is not there and is sent again at `sendAt`.
    /// `owner` keeps it until `leaseUntil`, so that no other runner sends it meanwhile.
    public func waitToSubmit(_ id: Int64, detail: String, sendAt: Double, owner: String, leaseUntil: Double) throws(Problem) {
        try update(id, "state = 'waiting_to_submit', detail = ?2, next_poll_at = ?3, owner_pid = NULL, lease_owner = ?4, lease_until = ?5, lease_pid = ?6") { s in
            s.bind(2, detail); s.bind(3, sendAt); s.bind(4, owner); s.bind(5, leaseUntil); s.bind(6, Int(getpid()))
        }
    }

    /// Takes a job waiting to be submitted for sending now (`submitting`, owned by this process); false when it is
    /// no longer waiting (cancelled, sent by another runner) or another runner holds it.
    public func beginResubmission(_ id: Int64, owner: String, now: Double = Date().timeIntervalSince1970) throws(Problem) -> Bool {
        try locked {
            let s = try prepared("""
                UPDATE job SET state = 'submitting', owner_pid = ?3, \(Self.noLease)
                WHERE job_id = ?4 AND state = 'waiting_to_submit' AND (lease_owner IS NULL OR lease_until <= ?2 OR lease_owner = ?1)
                """)
            s.bind(1, owner); s.bind(2, now); s.bind(3, Int(getpid())); s.bind(4, id)
            try s.run()
            return (try database.scalarInt("SELECT changes()") ?? 0) > 0
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

    /// For tests: pretend the process holding the job's lease is `pid`.
    func rewriteLeasePID(_ id: Int64, pid: Int32) throws(Problem) {
        try update(id, "lease_pid = ?2") { $0.bind(2, Int(pid)) }
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

    public func job(_ id: Int64) throws(Problem) -> Job {
        try locked {
            var job = try fetch(id)
            job.deliveries = try deliveryRows(of: id)[id] ?? []
            return job
        }
    }

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

    /// Every job, newest first, with its deliveries.
    public func allJobs() throws(Problem) -> [Job] {
        var all = try jobs(where: "1")
        let deliveries = try locked { try deliveryRows(of: nil) }
        for index in all.indices { all[index].deliveries = deliveries[all[index].id] ?? [] }
        return all
    }

    /// Jobs whose source starts with `prefix` (`pack:PATH#`: every job of one pack's videos), newest first, with
    /// their deliveries.
    public func jobs(sourcePrefix prefix: String) throws(Problem) -> [Job] {
        var found = try jobs(where: "substr(source, 1, length(?1)) = ?1") { $0.bind(1, prefix) }
        let ids = Set(found.map(\.id))
        let deliveries = try locked { try deliveryRows(of: nil) }.filter { ids.contains($0.key) }
        for index in found.indices { found[index].deliveries = deliveries[found[index].id] ?? [] }
        return found
    }

    /// When the next poll or resubmission is due that a runner could claim then (nil when no job waits on RunPod).
    public func nextPollTime() throws(Problem) -> Double? {
        try locked {
            let s = try prepared("""
                SELECT min(CASE WHEN lease_owner IS NOT NULL AND lease_until > next_poll_at THEN lease_until ELSE next_poll_at END)
                FROM job WHERE (state IN ('queued', 'in_progress') AND runpod_id IS NOT NULL) OR state = 'waiting_to_submit'
                """)
            guard try s.step(), !s.isNull(0) else { return nil }
            return s.double(0)
        }
    }

    /// How many of `ids` (all jobs when empty) are still open.
    public func openCount(among ids: Set<Int64> = []) throws(Problem) -> Int {
        try locked {
            let s = try prepared("SELECT job_id FROM job WHERE state IN ('queued', 'in_progress', 'waiting_for_parts', 'waiting_to_submit')")
            var n = 0
            while try s.step() {
                if ids.isEmpty || ids.contains(s.int64(0)) { n += 1 }
            }
            return n
        }
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

    public func deliveries(_ id: Int64) throws(Problem) -> [JobDelivery] {
        try locked { try deliveryRows(of: id)[id] ?? [] }
    }

    /// Deliveries by job: of one job, or of all (nil). Call with `lock` held.
    private func deliveryRows(of id: Int64?) throws -> [Int64: [JobDelivery]] {
        let s = try prepared("SELECT job_id, sink, location, error, delivered_at FROM job_delivery WHERE ?1 IS NULL OR job_id = ?1 ORDER BY job_id, sink")
        if let id { s.bind(1, id) } else { s.bindNull(1) }
        var out: [Int64: [JobDelivery]] = [:]
        while try s.step() {
            out[s.int64(0), default: []].append(JobDelivery(sink: s.string(1) ?? "", location: s.string(2) ?? "", error: s.string(3),
                                                            deliveredAt: s.isNull(4) ? nil : s.double(4)))
        }
        return out
    }
}
