import Foundation
import PackKit

/// The conversation store (`conversations.sqlite` in the data folder, which anyone may edit): a turn and its
/// citation written as raw rows, every column given as text as a hand edit or another program could leave it,
/// then read back as the explorer and `ytce sessions` read it and exported as they export it.
///
/// The input is lines: question, searched_for, scope_json, answer, asked_at, video_id, start_ms, end_ms,
/// segment_ids, excerpt (missing lines are empty; SQLite's column affinity turns numeric text into numbers).
enum ConversationTarget {
    static let fields = ["question", "searched_for", "scope_json", "answer", "asked_at", "video_id", "start_ms", "end_ms",
                         "segment_ids", "excerpt"]

    static let conversation = FuzzTarget(
        name: "conversation",
        summary: "ConversationStore.turns/search/list on rows written as text (scope JSON, times, citations); problems are one line naming the file, citations read are ranges, scopes read back the same, exports link every source",
        maxLength: 4 << 10,
        dictionary: "json"
    ) { input in
        var lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.count < fields.count { lines.append("") }
        let folder = ScratchFolder.emptyFolder("conversation")
        let path = folder + "/conversations.sqlite"
        let store: ConversationStore
        let id: Int64
        do throws(ConversationStore.Problem) {
            store = try ConversationStore(path: path)
            id = try store.create(name: "fuzz", packPath: "p.pack", channelID: "UC", channelTitle: "Channel", at: Date(timeIntervalSince1970: 0))
        } catch {
            return require(false, "a fresh store could not be made: \(error)")
        }
        do {
            let raw = try SQLiteDatabase(path: path, mode: .readWriteCreate)
            let turn = try raw.prepare("""
                INSERT INTO turn(id, conversation_id, position, question, searched_for, followed_on, scope_json, answer, grounded, backend, asked_at)
                VALUES (1, ?, 0, ?, ?, 1, ?, ?, 1, 'offline', ?)
                """)
            turn.bind(1, id)
            for (column, line) in [2: 0, 3: 1, 4: 2, 5: 3, 6: 4] { turn.bind(Int32(column), lines[line]) }
            try turn.run()
            let cite = try raw.prepare("""
                INSERT INTO citation(turn_id, n, video_id, title, url, start_ms, end_ms, segment_ids, excerpt)
                VALUES (1, 1, ?, 'Title', 'https://www.youtube.com/watch?v=x', ?, ?, ?, ?)
                """)
            for (column, line) in [1: 5, 2: 6, 3: 7, 4: 8, 5: 9] { cite.bind(Int32(column), lines[line]) }
            try cite.run()
        } catch {
            return  // SQLite refused the row itself (a constraint): nothing for the store to read.
        }

        let turns: [ConversationTurn]
        do throws(ConversationStore.Problem) { turns = try store.turns(id) } catch {
            return require(error.description.hasPrefix(path + ": ") && !error.description.contains("\n"),
                           "a store problem that does not name the file on one line: \(error)")
        }
        require(turns.count == 1, "one turn written, \(turns.count) read")
        guard let read = turns.first else { return }
        require(read.question == lines[0] && read.answer == lines[3], "the question or answer changed on reading back")
        for source in read.sources {
            require(source.citation.startMs >= 0 && source.citation.startMs <= source.citation.endMs,
                    "a citation read with times \(source.citation.startMs)-\(source.citation.endMs)")
        }
        // The scope as saved again reads back the same (the next turn of the conversation saves it).
        do throws(AskScope.Problem) {
            let again = try AskScope(json: read.scope.json)
            require(again == read.scope, "a scope changed on saving and reading back")
        } catch {
            require(false, "a scope read from the store does not read back: \(error)")
        }
        _ = read.scope.summary
        let markdown = ConversationExport.markdown(turns, title: "fuzz", channel: "Channel")
        require(read.sources.allSatisfy { markdown.contains(ConversationExport.link($0)) }, "a source's link missing from the Markdown export")
        let json = JSONValue.serialize(ConversationExport.json(turns, summary: nil))
        require((try? JSONValue.parse(Data(json.utf8))) != nil, "the JSON export does not parse")
        do throws(ConversationStore.Problem) {
            let listed = try store.list()
            require(listed.first?.turns == 1, "the conversation is not listed with its turn")
            _ = try store.search(lines[0].split(separator: " ").prefix(3).map(String.init))
        } catch {
            require(error.description.hasPrefix(path + ": ") && !error.description.contains("\n"),
                    "a store problem that does not name the file on one line: \(error)")
        }
    }
}
