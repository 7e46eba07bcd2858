import Foundation
import HTTPTestServer
import XCTest
@testable import PackKit

/// The one ask API: a conversation over the bundled sample pack (coffee-lab, hash vectors) with a real SQLite
/// store, and a model behind a loopback server speaking OpenAI's protocol.
final class ConversationTests: XCTestCase {
    static let samplePack = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path
    static let coldBrew = "Hd2Gm6rK5yZ"

    func engine(config: PackConfig = PackConfig()) throws -> AskEngine {
        let dir = TestSupport.temporaryDirectory(self)
        return try AskEngine(path: Self.samplePack, cache: TestSupport.cache(in: dir), config: config, environment: [:])
    }

    func store() throws -> ConversationStore {
        try ConversationStore(path: TestSupport.temporaryDirectory(self).appendingPathComponent("data/conversations.sqlite").path)
    }

    /// Collects the events of one question.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [AskEvent] = []
        func add(_ event: AskEvent) { lock.withLock { list.append(event) } }
        var all: [AskEvent] { lock.withLock { list } }
        var followedOn: String? { all.lazy.compactMap { if case .followingOn(let q) = $0 { q } else { nil } }.first }
        var searched: String? { all.lazy.compactMap { if case .searching(let q) = $0 { q } else { nil } }.first }
        var kinds: [String] {
            all.map {
                switch $0 {
                case .searching: "searching"
                case .followingOn: "followingOn"
                case .evidence: "evidence"
                case .delta: "delta"
                case .draftDiscarded: "draftDiscarded"
                case .note: "note"
                case .finished: "finished"
                }
            }
        }
    }

    /// A follow-up that says almost nothing of its own is answered from the thread's topic (asked alone, the
    /// pack has nothing for it); the turns are kept in the store, read back by another connection, continued,
    /// found by words and removed.
    func testFollowUpIsReadInContextAndTheConversationIsKept() async throws {
        let engine = try engine()
        let store = try store()
        let conversation = Conversation(engine: engine, store: store, name: "brew")
        let first = try await conversation.ask("how long should cold brew steep")
        XCTAssertTrue(first.isGrounded)

        let alone = try await Conversation(engine: engine).ask("and what grind does it need?")
        XCTAssertFalse(alone.isGrounded, "asked alone, the follow-up has nothing to go on: \(alone.text)")

        let events = Events()
        let followUp = try await conversation.ask("and what grind does it need?", onEvent: events.add)
        XCTAssertEqual(events.followedOn, "how long should cold brew steep")
        XCTAssertEqual(events.kinds.first, "followingOn")
        XCTAssertEqual(events.kinds.last, "finished")
        XCTAssertTrue(events.kinds.contains("evidence"))
        XCTAssertTrue(followUp.isGrounded, followUp.text)
        XCTAssertEqual(followUp.sources.first?.citation.videoID, Self.coldBrew)
        XCTAssertTrue(followUp.text.lowercased().contains("grind"), followUp.text)

        // Another connection sees both turns, with their citations.
        let reopened = try ConversationStore(path: store.path)
        let saved = try XCTUnwrap(try reopened.find("brew"))
        XCTAssertEqual(saved.turns, 2)
        XCTAssertEqual(saved.channelID, engine.manifest.channelID)
        let turns = try reopened.turns(saved.id)
        XCTAssertEqual(turns.map(\.question), ["how long should cold brew steep", "and what grind does it need?"])
        XCTAssertEqual(turns.map(\.followedOn), [false, true])
        XCTAssertEqual(turns[1].sources, followUp.sources)
        XCTAssertEqual(turns[1].answer, followUp.text)
        let recent = try reopened.turns(saved.id, last: 1)
        XCTAssertEqual(recent.map(\.question), ["and what grind does it need?"])
        XCTAssertEqual(recent.first?.sources, followUp.sources)
        XCTAssertEqual(try reopened.turns(saved.id, last: 5).map(\.question), turns.map(\.question))
        XCTAssertEqual(try reopened.turns(saved.id, last: 0), [])
        XCTAssertEqual(try reopened.latest(channelID: engine.manifest.channelID)?.id, saved.id)

        // Continued from the store, a question that points back still follows on.
        let continued = try Conversation(engine: engine, store: reopened, continuing: saved)
        let more = Events()
        _ = try await continued.ask("why is it steeped so long?", onEvent: more.add)
        XCTAssertEqual(more.followedOn, "and what grind does it need?")
        XCTAssertEqual(try reopened.turns(saved.id).count, 3)

        let found = try reopened.search(["GRIND", "need"])
        XCTAssertEqual(found.map(\.position), [1])
        XCTAssertEqual(found.first?.conversation.name, "brew")
        XCTAssertTrue(try reopened.search(["100%_"]).isEmpty, "LIKE wildcards are matched literally")
        XCTAssertThrowsError(try reopened.create(name: "brew", packPath: "p", channelID: "c", channelTitle: "t"))
        XCTAssertTrue(try reopened.remove(saved.id))
        XCTAssertNil(try reopened.find("brew"))
        XCTAssertFalse(try reopened.remove(saved.id))
    }

    /// A question on a new topic is not folded: it gets the answer it gets alone.
    func testTopicShiftIsLeftAlone() async throws {
        let engine = try engine()
        let conversation = Conversation(engine: engine)
        _ = try await conversation.ask("how long should cold brew steep")
        let events = Events()
        let shifted = try await conversation.ask("how fine should I grind for espresso", onEvent: events.add)
        let alone = try await Conversation(engine: engine).ask("how fine should I grind for espresso")
        XCTAssertNil(events.followedOn)
        XCTAssertEqual(shifted.text, alone.text)
        XCTAssertEqual(conversation.turns.map(\.followedOn), [false, false])
    }

    /// A question scoped to videos the thread's last answer did not cite starts afresh: folding in the thread's
    /// terms (water) made the evidence of the scoped video (espresso) look off-topic and refused what the
    /// question alone is answered by.
    func testAQuestionScopedAwayFromTheThreadStartsAfresh() async throws {
        let engine = try engine()
        let espresso = AskScope(titleWords: ["Dialing In Espresso"])
        let alone = try await Conversation(engine: engine).ask("what dose?", scope: espresso)
        XCTAssertTrue(alone.isGrounded, alone.text)

        let conversation = Conversation(engine: engine)
        let water = try await conversation.ask("how hard should my water be?")
        XCTAssertTrue(water.isGrounded, water.text)
        let events = Events()
        let scoped = try await conversation.ask("what dose?", scope: espresso, onEvent: events.add)
        XCTAssertNil(events.followedOn)
        XCTAssertEqual(scoped.text, alone.text)
        XCTAssertEqual(conversation.turns.map(\.followedOn), [false, false])

        // Scoped to the video the last answer cited, a follow-up still follows on.
        _ = try await conversation.ask("how do I fix it?", scope: espresso)
        XCTAssertEqual(conversation.turns.last?.followedOn, true)
    }

    /// A conversation continued from the store (a reopened pack) asks in the scope its last question was asked in,
    /// as the analyst left it; before, the thread went on and the scope was silently the whole channel.
    func testAContinuedConversationKeepsItsScope() async throws {
        let engine = try engine()
        let store = try store()
        let espresso = AskScope(titleWords: ["Dialing In Espresso"])
        let conversation = Conversation(engine: engine, store: store)
        conversation.scope = espresso
        let first = try await conversation.ask("what dose?")
        XCTAssertTrue(first.isGrounded, first.text)
        let saved = try XCTUnwrap(try store.latest(channelID: engine.manifest.channelID))
        let continued = try Conversation(engine: engine, store: store, continuing: saved)
        XCTAssertEqual(continued.scope, espresso)
        let next = try await continued.ask("how long should it run?")
        XCTAssertEqual(continued.turns.last?.scope, espresso)
        let espressoVideo = try XCTUnwrap(try engine.videoIDs(in: espresso))
        XCTAssertTrue(next.sources.allSatisfy { espressoVideo.contains($0.citation.videoID) }, next.text)
        // A conversation whose last question asked the whole channel goes on asking it.
        continued.scope = .all
        _ = try await continued.ask("how hard should my water be?")
        let resumed = try Conversation(engine: engine, store: store, continuing: try XCTUnwrap(try store.latest(channelID: engine.manifest.channelID)))
        XCTAssertEqual(resumed.scope, .all)
    }

    func testWhatLeansOnEarlierTurns() {
        let folding = FollowUpFolding()
        XCTAssertTrue(folding.leansOnEarlierTurns("And what did Netscape have to do with it?", contentWords: 2))
        XCTAssertTrue(folding.leansOnEarlierTurns("What about that?", contentWords: 0))
        XCTAssertTrue(folding.leansOnEarlierTurns("Why does the code throw a little of it away on every round?", contentWords: 6),
                      "'it' points back although the question has six words of its own")
        XCTAssertFalse(folding.leansOnEarlierTurns("Why does the PageRank code throw a little of its rank away on every round?", contentWords: 8),
                       "with this many words of its own a question stands alone, 'its' or not")
        XCTAssertFalse(folding.leansOnEarlierTurns("Where does he explain that the newline counts as one character?", contentWords: 5),
                       "'explain that' opens a clause")
        XCTAssertFalse(folding.leansOnEarlierTurns("Why does seeding the minimum-tracking variable with negative one give a wrong result?", contentWords: 8))
        XCTAssertFalse(folding.leansOnEarlierTurns("What is the tallest mountain in Africa?", contentWords: 3))
        // A bare question leans on the thread, unless it names what it asks about.
        XCTAssertTrue(folding.leansOnEarlierTurns("Which one?", contentWords: 0))
        XCTAssertTrue(folding.leansOnEarlierTurns("How fast?", contentWords: 1))
        XCTAssertFalse(folding.leansOnEarlierTurns("What is a dictionary?", contentWords: 1),
                       "after 'how do I count words' it was answered about counting")
        XCTAssertTrue(folding.leansOnEarlierTurns("And what is a dictionary?", contentWords: 1))
        XCTAssertTrue(folding.leansOnEarlierTurns("What is that?", contentWords: 0))
    }

    /// A question that seems to stand alone is read in the thread's light only when its own moments do not
    /// decide (no clear lead) and the thread's video is among the first, and only where retrieval judges meaning.
    func testAnUndecidedQuestionNearTheThreadContinuesIt() {
        let folding = FollowUpFolding()
        func hit(_ video: String, _ score: Double) -> SearchHit {
            SearchHit(videoID: video, title: video, url: "", startMs: 0, endMs: 1000, score: score, segments: [])
        }
        let thread = [FollowUpFolding.Turn(question: "What does the course say about Unicode?", videos: ["unicode"])]
        let undecided = [hit("strings", 0.0233), hit("intro", 0.0223), hit("unicode", 0.0216), hit("http", 0.0175)]
        XCTAssertTrue(folding.continuesThread(undecided, thread: thread, semantic: true))
        XCTAssertFalse(folding.continuesThread(undecided, thread: thread, semantic: false), "hash packs: close scores are the rule")
        let decided = [hit("strings", 0.0300), hit("intro", 0.0223), hit("unicode", 0.0216)]
        XCTAssertFalse(folding.continuesThread(decided, thread: thread, semantic: true), "its own best moment leads clearly")
        let elsewhere = [hit("strings", 0.0233), hit("intro", 0.0223), hit("files", 0.0216), hit("unicode", 0.0175)]
        XCTAssertFalse(folding.continuesThread(elsewhere, thread: thread, semantic: true), "the thread's video is not among the first three")
        XCTAssertFalse(folding.continuesThread(undecided, thread: [], semantic: true), "no thread, nothing to continue")
    }

    /// With a model, a follow-up is first rewritten into a standalone question (one short call, reported as
    /// `searching`), and the answer's prompt holds the earlier turn: both visible in the requests the loopback
    /// server receives.
    func testModelRewritesTheFollowUpAndSeesTheRecentTurns() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let rewritten = "What grind does cold brew need?"
        server.route("POST", "/chat/completions") { request in
            let body = (try? JSONValue.parse(Data(request.body))) ?? .null
            let system = body["messages"]?.arrayValue?.first?["content"]?.stringValue ?? ""
            let content: String
            if system.contains("rewrite") {
                content = rewritten
            } else {
                // Cite the first evidence line given.
                let cited = CitationParser.citations(in: request.text).first?.citation.description ?? ""
                content = "Coarse, for cold brew \(cited)."
            }
            return .json(JSONValue.serialize(.object(["choices": .array([.object([
                "message": .object(["role": .string("assistant"), "content": .string(content)]), "finish_reason": .string("stop")])])])))
        }
        let config = try PackConfig.parse(Data(#"{"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\#(server.baseURL)"}}}"#.utf8),
                                          file: "c.json")
        let engine = try engine(config: config)
        let conversation = Conversation(engine: engine)
        let first = try await conversation.ask("how long should cold brew steep", stream: false)
        XCTAssertEqual(server.requests(to: "/chat/completions").count, 1, "the first question needs no rewrite")

        let events = Events()
        let second = try await conversation.ask("and what grind does it need?", stream: false, onEvent: events.add)
        XCTAssertEqual(events.searched, rewritten)
        XCTAssertEqual(events.kinds.first, "searching")
        XCTAssertEqual(conversation.turns.last?.searchedFor, rewritten)
        XCTAssertTrue(second.isGrounded, second.text)

        let requests = server.requests(to: "/chat/completions")
        XCTAssertEqual(requests.count, 3)
        func messages(_ request: RecordedRequest) throws -> [(role: String, content: String)] {
            let body = try JSONValue.parse(Data(request.body))
            return (body["messages"]?.arrayValue ?? []).map { ($0["role"]?.stringValue ?? "", $0["content"]?.stringValue ?? "") }
        }
        // The rewrite call: short, with the earlier turn and the follow-up.
        let rewrite = try messages(requests[1])
        XCTAssertTrue(rewrite[0].content.contains("rewrite"))
        XCTAssertTrue(rewrite[1].content.contains("User: how long should cold brew steep"), rewrite[1].content)
        XCTAssertTrue(rewrite[1].content.contains("Assistant: \(first.text)"), rewrite[1].content)
        XCTAssertTrue(rewrite[1].content.contains("Last question: and what grind does it need?"), rewrite[1].content)
        // The answer call: the earlier turn as messages before the question.
        let answer = try messages(requests[2])
        XCTAssertEqual(answer.map(\.role), ["system", "user", "assistant", "user"])
        XCTAssertEqual(answer[1].content, "how long should cold brew steep")
        XCTAssertEqual(answer[2].content, first.text)
        XCTAssertTrue(answer[3].content.contains("Question: and what grind does it need?"), answer[3].content)
    }

    /// Recent turns fit their budget, newest kept first.
    func testHistoryKeepsTheNewestTurnsWithinItsBudget() {
        let turns = (0..<10).map { i in
            ConversationTurn(question: "question \(i)", answer: String(repeating: "word ", count: 40), grounded: true, sources: [],
                             backend: "m", askedAt: Date())
        }
        let kept = ConversationHistory.messages(turns, budget: 200)
        XCTAssertEqual(kept.count, 6, "three turns of about 60 tokens each")
        XCTAssertEqual(kept.first?.text, "question 7")
        XCTAssertEqual(kept.last?.role, "assistant")
        XCTAssertTrue(ConversationHistory.messages(turns, budget: 10).isEmpty)
    }

    /// Cancelling the asking task stops a silent model at once, and the question leaves no turn.
    func testCancellingTheAskStopsTheModelAndKeepsNoTurn() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions", response: .silent)
        let config = try PackConfig.parse(Data(#"{"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\#(server.baseURL)"}}}"#.utf8),
                                          file: "c.json")
        let store = try store()
        let conversation = Conversation(engine: try engine(config: config), store: store)
        let task = Task { try await conversation.ask("how long should cold brew steep") }
        while server.requests(to: "/chat/completions").isEmpty { try await Task.sleep(nanoseconds: 5_000_000) }
        let started = Date()
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled question has no answer")
        } catch let error as LLMError {
            XCTAssertEqual(error.kind, .cancelled)
        } catch is CancellationError {}
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
        XCTAssertTrue(conversation.turns.isEmpty)
        XCTAssertTrue(try store.list().isEmpty)
    }

    /// A scope limits the moments to its videos; one that matches nothing says so.
    func testScopeLimitsTheAnswerToItsVideos() async throws {
        let engine = try engine()
        let videos = try engine.videos()
        let espresso = try XCTUnwrap(videos.first { $0.title.lowercased().contains("espresso") })
        let scoped = try await Conversation(engine: engine).ask("how fine should I grind", scope: AskScope(videoIDs: [espresso.videoID]))
        XCTAssertFalse(scoped.hits.isEmpty)
        XCTAssertTrue(scoped.hits.allSatisfy { $0.videoID == espresso.videoID }, scoped.hits.map(\.videoID).description)
        let byTitle = try await Conversation(engine: engine).ask("how fine should I grind", scope: AskScope(titleWords: ["cold brew"]))
        XCTAssertTrue(byTitle.hits.allSatisfy { $0.videoID == Self.coldBrew }, byTitle.hits.map(\.videoID).description)
        do {
            _ = try await Conversation(engine: engine).ask("grind", scope: AskScope(videoIDs: ["nope"]))
            XCTFail("an unknown video is an error")
        } catch let problem as AskScope.Problem {
            XCTAssertEqual(problem.description, "scope: the pack has no video 'nope'")
        }
        XCTAssertThrowsError(try AskScope.date("2020-1", option: "--since"))
        XCTAssertEqual(try AskScope.date("2020-01", option: "--since"), "2020-01")
        // A month or day no calendar has is an error, not a scope with nothing in it.
        for (bad, said) in [("2025-13", "there is no month 13"), ("2025-00-10", "there is no month 00"),
                            ("2025-02-29", "there is no day 29 in that month"), ("2025-04-31", "there is no day 31 in that month")] {
            XCTAssertThrowsError(try AskScope.date(bad, option: "since")) { XCTAssertEqual("\($0)", "since '\(bad)': \(said)") }
        }
        XCTAssertEqual(try AskScope.date("2024-02-29", option: "--since"), "2024-02-29")
        XCTAssertThrowsError(try AskScopeCommand.parse("since 2025-13")) { XCTAssertEqual("\($0)", "since '2025-13': there is no month 13") }
    }

    /// A search in double quotes is main's exact-phrase search (`Retriever.find`) through the one ask API, and a
    /// scope limits its moments as it limits the hybrid search's.
    func testAPhraseSearchKeepsItsWordsAndItsScope() async throws {
        let engine = try engine()
        let all = try await engine.search("\"the grind\"", topK: 10)
        let videos = Set(all.hits.map(\.videoID))
        XCTAssertGreaterThan(videos.count, 1, "the phrase is said in several videos of the sample pack")
        // Word for word: a hybrid search would also bring moments that say "grind" without "the grind".
        XCTAssertTrue(all.hits.allSatisfy { $0.text.lowercased().contains("the grind") }, all.hits.map(\.text).description)
        let last = try XCTUnwrap(all.hits.last?.videoID)
        let scoped = try await engine.search("\"the grind\"", topK: 10, scope: AskScope(videoIDs: [last]))
        XCTAssertFalse(scoped.hits.isEmpty)
        XCTAssertTrue(scoped.hits.allSatisfy { $0.videoID == last }, scoped.hits.map(\.videoID).description)
        XCTAssertEqual(scoped.hits.count, all.hits.filter { $0.videoID == last }.count)
    }

    /// Question vectors come from the config's embeddings endpoint only when it serves the pack's own model
    /// (vectors of another model live in another space): another model is never asked, and every answer and
    /// search says why it is not used; the pack's model is asked, for questions and searches alike.
    func testEmbeddingsEndpointIsUsedOnlyForThePacksModel() async throws {
        func config(_ fake: FakeEmbeddings) throws -> PackConfig {
            try PackConfig.parse(Data("""
                {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "\(fake.model)"}}
                """.utf8), file: "config.json")
        }
        let other = try FakeEmbeddings(model: "text-embedding-3-small", dimension: 384)
        defer { other.stop() }
        let unserved = try engine(config: config(other))
        XCTAssertEqual(unserved.retrieval, .hash)
        let note = "the config's embeddings endpoint serves 'text-embedding-3-small', not the pack's model 'hash-384': not used"
        XCTAssertEqual(unserved.endpointNote, note)
        let answer = try await Conversation(engine: unserved).ask("how long should cold brew steep")
        XCTAssertTrue(answer.isGrounded, answer.text)
        XCTAssertTrue(answer.notes.contains(note), answer.notes.description)
        let searched = try await unserved.search("cold brew", topK: 3)
        XCTAssertTrue(searched.notes.contains(note), searched.notes.description)
        XCTAssertEqual(other.requestCount, 0)

        let own = try FakeEmbeddings(model: "hash-384", dimension: 384)
        defer { own.stop() }
        let served = try engine(config: config(own))
        XCTAssertNil(served.endpointNote)
        XCTAssertEqual(served.retrieval, .semantic)
        let asked = try await Conversation(engine: served).ask("how long should cold brew steep")
        XCTAssertFalse(asked.notes.contains { $0.contains("not used") }, asked.notes.description)
        _ = try await served.search("cold brew", topK: 3)
        XCTAssertEqual(own.texts, ["how long should cold brew steep", "cold brew"])
    }
}
