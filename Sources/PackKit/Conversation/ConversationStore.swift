import Foundation

/// Every conversation ytce has held, in one SQLite file under the data folder (`AppPaths.conversations`): the
/// pack, each turn (question, answer, scope, time) and its citations. A turn is written in one transaction when
/// its answer is finished, so a crash loses at most the turn in flight. Several processes may share the file
/// (WAL, a busy timeout).
///
/// Schema (`PRAGMA user_version` 2; a later version adds a step to `migrations` and never
/// changes these):
/// - `conversation(id, name UNIQUE, pack_path, channel_id, channel_title, created_at, updated_at)`
/// - `turn(id, conversation_id → conversation ON DELETE CASCADE, position, question, searched_for, followed_on,
///   scope_json, answer, grounded, backend, asked_at)`, unique by (conversation_id, position)
/// - `citation(turn_id → turn ON DELETE CASCADE, n, video_id, title, url, start_ms, end_ms, segment_ids, excerpt)`
/// - (version 2) `pin(conversation_id → conversation ON DELETE CASCADE, position, video_id, title, start_ms, end_ms,
///   quote, note, pack)`, unique by (conversation_id, position): the conversation's brief, in the analyst's order
/// - (version 2) `brief_import(file PRIMARY KEY, conversation_id, pins, imported_at)`: the brief files of earlier
///   versions (`$STATE/briefs/CHANNEL.json`) taken in, so each is imported once (`importBriefs`)
/// Times are seconds since 1970 (UTC).
public final class ConversationStore: @unchecked Sendable {
    public let path: String
    private let database: SQLiteDatabase
    private let lock = NSLock()
    /// The schema steps, in order: `migrations[i]` brings a file at version i to version i + 1. A later version adds
    /// a step at the end (a table of its own, a column with a default), never edits one a user's file has run.
    static let migrations: [String] = [
        """
        CREATE TABLE IF NOT EXISTS conversation (
          id INTEGER PRIMARY KEY,
          name TEXT UNIQUE,
          pack_path TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          channel_title TEXT NOT NULL DEFAULT '',
          created_at REAL NOT NULL,
          updated_at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS conversation_channel ON conversation(channel_id, updated_at);
        CREATE TABLE IF NOT EXISTS turn (
          id INTEGER PRIMARY KEY,
          conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          question TEXT NOT NULL,
          searched_for TEXT,
          followed_on INTEGER NOT NULL DEFAULT 0,
          scope_json TEXT NOT NULL DEFAULT '{}',
          answer TEXT NOT NULL,
          grounded INTEGER NOT NULL,
          backend TEXT NOT NULL,
          asked_at REAL NOT NULL,
          UNIQUE(conversation_id, position)
        );
        CREATE TABLE IF NOT EXISTS citation (
          turn_id INTEGER NOT NULL REFERENCES turn(id) ON DELETE CASCADE,
          n INTEGER NOT NULL,
          video_id TEXT NOT NULL,
          title TEXT NOT NULL,
          url TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          segment_ids TEXT NOT NULL,
          excerpt TEXT NOT NULL,
          PRIMARY KEY(turn_id, n)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS pin (
          conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          video_id TEXT NOT NULL,
          title TEXT NOT NULL DEFAULT '',
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          quote TEXT NOT NULL DEFAULT '',
          note TEXT NOT NULL DEFAULT '',
          pack TEXT NOT NULL DEFAULT '',
          PRIMARY KEY(conversation_id, position)
        );
        CREATE TABLE IF NOT EXISTS brief_import (
          file TEXT PRIMARY KEY,
          conversation_id INTEGER,
          pins INTEGER NOT NULL,
          imported_at REAL NOT NULL
        );
        """,
    ]
    public static var schemaVersion: Int64 { Int64(migrations.count) }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A conversation as listed: its id, name, pack and size.
    public struct Summary: Sendable, Equatable {
        public var id: Int64
        public var name: String?
        public var packPath: String
        public var channelID: String
        public var channelTitle: String
        public var createdAt: Date
        public var updatedAt: Date
        public var turns: Int
        /// The first question, to recognise it by.
        public var firstQuestion: String

        /// Its name, else `#id`.
        public var label: String { name ?? "#\(id)" }
    }

    /// One-line warnings from opening: brief files that could not be imported.
    public private(set) var notes: [String] = []

    /// Opens (creating when needed) the store at `path`; with `briefs`, the brief files earlier versions kept there
    /// are imported (once: `importBriefs`), and those that could not be are named in `notes`.
    public init(path: String, briefs: String? = nil) throws(Problem) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Problem(description: "\(folder): cannot create the folder for the conversations (\(error.localizedDescription))")
        }
        do {
            database = try SQLiteDatabase.sharedStore(path: path, busyTimeoutMs: 5_000)
            try database.keepWriteAheadLogOnClose()
            try database.execute("PRAGMA foreign_keys = ON")
            let version = try database.scalarInt("PRAGMA user_version") ?? 0
            if version > Self.schemaVersion {
                throw Problem(description: "\(path): the conversations were written by a newer ytce (schema \(version), this one reads \(Self.schemaVersion))")
            }
            // Each step brings the file from its version to the next, in one transaction with the version it reaches.
            for (index, step) in Self.migrations.enumerated() where Int64(index) >= version {
                try database.transaction {
                    try database.execute(step)
                    try database.execute("PRAGMA user_version = \(index + 1)")
                }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "\(path): cannot open the conversations: \(error)")
        }
        if let briefs { notes = importBriefs(from: briefs) }
    }

    private func locked<T>(_ body: () throws -> T) throws(Problem) -> T {
        lock.lock()
        defer { lock.unlock() }
        do { return try body() } catch let problem as Problem { throw problem } catch {
            throw Problem(description: "\(path): \(error)")
        }
    }

    // MARK: Conversations

    /// Starts a conversation over a pack; `name` must be free.
    public func create(name: String?, packPath: String, channelID: String, channelTitle: String, at time: Date = Date()) throws(Problem) -> Int64 {
        try locked {
            if let name, try id(named: name) != nil { throw Problem(description: "a conversation named '\(name)' exists already") }
            let insert = try database.prepare("INSERT INTO conversation(name, pack_path, channel_id, channel_title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
            insert.bind(1, name)
            insert.bind(2, packPath)
            insert.bind(3, channelID)
            insert.bind(4, channelTitle)
            insert.bind(5, time.timeIntervalSince1970)
            insert.bind(6, time.timeIntervalSince1970)
            try insert.run()
            return database.lastInsertRowID
        }
    }

    private func id(named name: String) throws -> Int64? {
        let query = try database.prepare("SELECT id FROM conversation WHERE name = ?")
        query.bind(1, name)
        return try query.step() ? query.int64(0) : nil
    }

    /// Conversations, most recently continued first; only those over `channelID` when given.
    public func list(channelID: String? = nil) throws(Problem) -> [Summary] {
        try locked { try summaries(where: channelID == nil ? "" : "WHERE c.channel_id = ?1", bind: channelID) }
    }

    /// The conversation named `reference` (a name, or `#id` / a bare id).
    public func find(_ reference: String) throws(Problem) -> Summary? {
        try locked {
            if let id = Int64(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference),
               let found = try summaries(where: "WHERE c.id = ?1", bind: String(id)).first {
                return found
            }
            return try summaries(where: "WHERE c.name = ?1", bind: reference).first
        }
    }

    /// The conversation over `channelID` continued last.
    public func latest(channelID: String) throws(Problem) -> Summary? {
        try list(channelID: channelID).first
    }

    private func summaries(where clause: String, bind value: String?) throws -> [Summary] {
        let query = try database.prepare("""
            SELECT c.id, c.name, c.pack_path, c.channel_id, c.channel_title, c.created_at, c.updated_at,
                   (SELECT count(*) FROM turn t WHERE t.conversation_id = c.id),
                   coalesce((SELECT question FROM turn t WHERE t.conversation_id = c.id ORDER BY position LIMIT 1), '')
            FROM conversation c \(clause) ORDER BY c.updated_at DESC, c.id DESC
            """)
        if let value { query.bind(1, value) }
        var out: [Summary] = []
        while try query.step() {
            out.append(Summary(id: query.int64(0), name: query.string(1), packPath: query.string(2) ?? "", channelID: query.string(3) ?? "",
                               channelTitle: query.string(4) ?? "", createdAt: Date(timeIntervalSince1970: query.double(5)),
                               updatedAt: Date(timeIntervalSince1970: query.double(6)), turns: query.int(7), firstQuestion: query.string(8) ?? ""))
        }
        return out
    }

    /// Deletes a conversation with its turns and citations; false when there was none.
    @discardableResult
    public func remove(_ id: Int64) throws(Problem) -> Bool {
        try locked {
            let delete = try database.prepare("DELETE FROM conversation WHERE id = ?")
            delete.bind(1, id)
            try delete.run()
            return (try database.scalarInt("SELECT changes()") ?? 0) > 0
        }
    }

    // MARK: Turns

    /// Adds `turn` at the end of conversation `id`, with its citations, in one transaction.
    public func append(_ turn: ConversationTurn, to id: Int64) throws(Problem) {
        try locked {
            try database.transaction {
                let position = (try database.scalarInt("SELECT coalesce(max(position), -1) + 1 FROM turn WHERE conversation_id = \(id)")) ?? 0
                let insert = try database.prepare("""
                    INSERT INTO turn(conversation_id, position, question, searched_for, followed_on, scope_json, answer, grounded, backend, asked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                insert.bind(1, id)
                insert.bind(2, position)
                insert.bind(3, turn.question)
                insert.bind(4, turn.searchedFor)
                insert.bind(5, turn.followedOn ? 1 : 0)
                insert.bind(6, JSONValue.serialize(turn.scope.json))
                insert.bind(7, turn.answer)
                insert.bind(8, turn.grounded ? 1 : 0)
                insert.bind(9, turn.backend)
                insert.bind(10, turn.askedAt.timeIntervalSince1970)
                try insert.run()
                let turnID = database.lastInsertRowID
                let cite = try database.prepare("""
                    INSERT INTO citation(turn_id, n, video_id, title, url, start_ms, end_ms, segment_ids, excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for (n, source) in turn.sources.enumerated() {
                    cite.reset()
                    cite.bind(1, turnID)
                    cite.bind(2, n + 1)
                    cite.bind(3, source.citation.videoID)
                    cite.bind(4, source.title)
                    cite.bind(5, source.url)
                    cite.bind(6, source.citation.startMs)
                    cite.bind(7, source.citation.endMs)
                    cite.bind(8, source.segmentIDs.map(String.init).joined(separator: ","))
                    cite.bind(9, source.excerpt)
                    try cite.run()
                }
                let touch = try database.prepare("UPDATE conversation SET updated_at = ? WHERE id = ?")
                touch.bind(1, turn.askedAt.timeIntervalSince1970)
                touch.bind(2, id)
                try touch.run()
            }
        }
    }

    /// The turns of conversation `id`, in the order they were asked; only the last `last` of them when given (a
    /// continued conversation reads what follow-ups can reach, not a long thread's every answer and citation).
    public func turns(_ id: Int64, last: Int? = nil) throws(Problem) -> [ConversationTurn] {
        try locked {
            var from: Int64 = 0
            if let last {
                let first = try database.prepare("SELECT coalesce(max(position) + 1, 0) FROM turn WHERE conversation_id = ?")
                first.bind(1, id)
                let count = try first.step() ? first.int64(0) : 0
                from = count - Int64(max(0, min(last, Int(Int32.max))))
            }
            var sources: [Int64: [Answer.Source]] = [:]
            let cites = try database.prepare("""
                SELECT c.turn_id, c.video_id, c.title, c.url, c.start_ms, c.end_ms, c.segment_ids, c.excerpt
                FROM citation c JOIN turn t ON t.id = c.turn_id WHERE t.conversation_id = ? AND t.position >= ? ORDER BY c.turn_id, c.n
                """)
            cites.bind(1, id)
            cites.bind(2, from)
            while try cites.step() {
                let segments = (cites.string(6) ?? "").split(separator: ",").compactMap { Int64($0) }
                let startMs = cites.int(4), endMs = cites.int(5)
                // Anyone may edit the file: a time that is no range would become a link to a negative second.
                guard startMs >= 0, endMs >= startMs else {
                    throw Problem(description: "\(path): turn \(cites.int64(0)): a citation's time \(startMs)-\(endMs) ms (start_ms, end_ms) is not a range")
                }
                sources[cites.int64(0), default: []].append(Answer.Source(
                    citation: Citation(videoID: cites.string(1) ?? "", startMs: startMs, endMs: endMs),
                    title: cites.string(2) ?? "", url: cites.string(3) ?? "", segmentIDs: segments, excerpt: cites.string(7) ?? ""))
            }
            let query = try database.prepare("""
                SELECT id, question, searched_for, followed_on, scope_json, answer, grounded, backend, asked_at
                FROM turn WHERE conversation_id = ? AND position >= ? ORDER BY position
                """)
            query.bind(1, id)
            query.bind(2, from)
            var out: [ConversationTurn] = []
            while try query.step() {
                let scope: AskScope
                do { scope = try AskScope(json: try JSONValue.parse(Data((query.string(4) ?? "{}").utf8))) } catch {
                    throw Problem(description: "\(path): turn \(query.int64(0)): scope_json: \(Self.oneLine(error))")
                }
                let askedAt = query.double(8)
                guard askedAt.isFinite, abs(askedAt) < Self.latestTime else {
                    throw Problem(description: "\(path): turn \(query.int64(0)): asked_at \(askedAt) is not a time (seconds since 1970)")
                }
                out.append(ConversationTurn(question: query.string(1) ?? "", searchedFor: query.string(2), followedOn: query.int(3) != 0,
                                            scope: scope, answer: query.string(5) ?? "", grounded: query.int(6) != 0,
                                            sources: sources[query.int64(0)] ?? [], backend: query.string(7) ?? "",
                                            askedAt: Date(timeIntervalSince1970: query.double(8))))
            }
            return out
        }
    }

    // MARK: Pins

    /// The brief of conversation `id`: its pins in order.
    public func pins(_ id: Int64) throws(Problem) -> Brief {
        try locked { try pinsUnlocked(id) }
    }

    private func pinsUnlocked(_ id: Int64) throws -> Brief {
        let query = try database.prepare("SELECT video_id, title, start_ms, end_ms, quote, note, pack FROM pin WHERE conversation_id = ? ORDER BY position")
        query.bind(1, id)
        var brief = Brief()
        while try query.step() {
            let startMs = query.int(2), endMs = query.int(3)
            // Anyone may edit the file: a time that is no range would become a link to a negative second.
            guard startMs >= 0, endMs >= startMs, endMs <= PackTime.maxMs else {
                throw Problem(description: "\(path): conversation \(id): a pin's time \(startMs)-\(endMs) ms (start_ms, end_ms) is not a range")
            }
            brief.pins.append(Brief.Pin(videoID: query.string(0) ?? "", title: query.string(1) ?? "", startMs: startMs, endMs: endMs,
                                        quote: query.string(4) ?? "", note: query.string(5) ?? "", pack: query.string(6) ?? ""))
        }
        return brief
    }

    /// Replaces the pins of conversation `id` by `brief`'s, in one transaction.
    public func savePins(_ brief: Brief, of id: Int64) throws(Problem) {
        try locked { try database.transaction { try writePins(brief.pins, of: id, replacing: true) } }
    }

    /// Writes `pins` after (or, replacing, instead of) the conversation's; inside a transaction.
    private func writePins(_ pins: [Brief.Pin], of id: Int64, replacing: Bool) throws {
        var position = 0
        if replacing {
            let delete = try database.prepare("DELETE FROM pin WHERE conversation_id = ?")
            delete.bind(1, id)
            try delete.run()
        } else {
            position = Int(try database.scalarInt("SELECT coalesce(max(position), -1) + 1 FROM pin WHERE conversation_id = \(id)") ?? 0)
        }
        let insert = try database.prepare(
            "INSERT INTO pin(conversation_id, position, video_id, title, start_ms, end_ms, quote, note, pack) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for (offset, pin) in pins.enumerated() {
            insert.reset()
            insert.bind(1, id)
            insert.bind(2, position + offset)
            insert.bind(3, pin.videoID)
            insert.bind(4, pin.title)
            insert.bind(5, pin.startMs)
            insert.bind(6, pin.endMs)
            insert.bind(7, pin.quote)
            insert.bind(8, pin.note)
            insert.bind(9, pin.pack)
            try insert.run()
        }
    }

    /// Takes in the brief files earlier versions kept per pack (`folder`/CHANNEL.json, `AppPaths.briefs`): each one's
    /// pins go after those of the channel's latest conversation (a new one when it has none), the import is recorded,
    /// and the file is renamed `*.migrated`, so it is imported once. A file that cannot be read stays as it is, named
    /// in the one-line warning returned for it (again at the next open, until it is fixed or removed).
    @discardableResult
    public func importBriefs(from folder: String, at time: Date = Date()) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var warnings: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = (folder as NSString).appendingPathComponent(name)
            do {
                let imported: Bool = try locked {
                    let seen = try database.prepare("SELECT 1 FROM brief_import WHERE file = ?")
                    seen.bind(1, file)
                    return try seen.step()
                }
                if !imported {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw Problem(description: "\(file): cannot read the brief")
                    }
                    let brief: Brief
                    do { brief = try Brief(json: data, file: file) } catch { throw Problem(description: error.description) }
                    try importBrief(brief, channelID: String(name.dropLast(".json".count)), file: file, at: time)
                }
                // rename(2): replaces a .migrated file left by an earlier import, in one step.
                guard rename(file, file + ".migrated") == 0 else {
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
            } catch let problem as Problem {
                warnings.append("\(Self.oneLine(problem)) (not imported into the conversations; the file is left as it is)")
            } catch {
                warnings.append("\(file): imported, but not renamed to .migrated: \(Self.oneLine(error))")
            }
        }
        return warnings
    }

    private func importBrief(_ brief: Brief, channelID: String, file: String, at time: Date) throws(Problem) {
        let target = try latest(channelID: channelID)
        try locked {
            try database.transaction {
                var id = target?.id
                if id == nil, !brief.pins.isEmpty {
                    let insert = try database.prepare(
                        "INSERT INTO conversation(name, pack_path, channel_id, channel_title, created_at, updated_at) VALUES (NULL, '', ?, ?, ?, ?)")
                    insert.bind(1, channelID)
                    insert.bind(2, brief.pins.first?.pack ?? "")
                    insert.bind(3, time.timeIntervalSince1970)
                    insert.bind(4, time.timeIntervalSince1970)
                    try insert.run()
                    id = database.lastInsertRowID
                }
                if let id {
                    var merged = try pinsUnlocked(id)
                    let existing = merged.pins.count
                    for pin in brief.pins { merged.add(pin) }
                    try writePins(Array(merged.pins.dropFirst(existing)), of: id, replacing: false)
                }
                let record = try database.prepare("INSERT INTO brief_import(file, conversation_id, pins, imported_at) VALUES (?, ?, ?, ?)")
                record.bind(1, file)
                if let id { record.bind(2, id) } else { record.bindNull(2) }
                record.bind(3, brief.pins.count)
                record.bind(4, time.timeIntervalSince1970)
                try record.run()
            }
        }
    }

    /// Seconds since 1970 beyond which a saved time is not one (the year 5138).
    static let latestTime = 1e11

    /// An error's description on one line (a parser's may hold several).
    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Turns whose question or answer holds every one of `words` (case-insensitive), newest first, with the
    /// conversation each belongs to.
    public func search(_ words: [String], limit: Int = 50) throws(Problem) -> [(conversation: Summary, position: Int, turn: ConversationTurn)] {
        let wanted = words.map { $0.lowercased() }.filter { !$0.isEmpty }
        guard !wanted.isEmpty else { return [] }
        let matches: [(Int64, Int)] = try locked {
            let conditions = wanted.indices.map { "(lower(question) LIKE ?\($0 + 1) ESCAPE '\\' OR lower(answer) LIKE ?\($0 + 1) ESCAPE '\\')" }
            let query = try database.prepare("SELECT conversation_id, position FROM turn WHERE \(conditions.joined(separator: " AND ")) ORDER BY asked_at DESC LIMIT \(max(1, limit))")
            for (i, word) in wanted.enumerated() {
                let escaped = word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                query.bind(Int32(i + 1), "%\(escaped)%")
            }
            var out: [(Int64, Int)] = []
            while try query.step() { out.append((query.int64(0), query.int(1))) }
            return out
        }
        var out: [(conversation: Summary, position: Int, turn: ConversationTurn)] = []
        var cache: [Int64: (Summary, [ConversationTurn])] = [:]
        for (id, position) in matches {
            if cache[id] == nil, let summary = try find("#\(id)") { cache[id] = (summary, try turns(id)) }
            guard let (summary, turns) = cache[id], position < turns.count else { continue }
            out.append((summary, position, turns[position]))
        }
        return out
    }
}

extension AppPaths {
    /// The saved conversations (`ConversationStore`).
    public var conversations: String { (data as NSString).appendingPathComponent("conversations.sqlite") }
}

extension AskScope {
    /// The scope as saved with a turn.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if !videoIDs.isEmpty { object["video_ids"] = .array(videoIDs.map { .string($0) }) }
        if !titleWords.isEmpty { object["titles"] = .array(titleWords.map { .string($0) }) }
        if let since { object["since"] = .string(since) }
        if let until { object["until"] = .string(until) }
        return .object(object)
    }

    /// The scope saved with a turn (`json`), checked as the options are: lists of strings, dates as YYYY[-MM[-DD]].
    public init(json: JSONValue) throws(Problem) {
        guard case .object(let object) = json else { throw Problem(description: "expected an object") }
        func strings(_ key: String) throws(Problem) -> [String] {
            guard let value = object[key] else { return [] }
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw Problem(description: "'\(key)' must be a list of strings")
            }
            return list.compactMap(\.stringValue)
        }
        func date(_ key: String) throws(Problem) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.stringValue else { throw Problem(description: "'\(key)' must be a date string") }
            return try AskScope.date(text, option: "'\(key)'")
        }
        self.init(videoIDs: try strings("video_ids"), titleWords: try strings("titles"), since: try date("since"), until: try date("until"))
    }
}
