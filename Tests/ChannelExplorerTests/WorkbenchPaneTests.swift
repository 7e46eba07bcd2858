@testable import ChannelExplorer
import Foundation
import HTTPTestServer
import PackKit
import TUI
import XCTest

/// The analyst's workbench panes through the explorer's real loop on the sample pack: channel-wide search, the
/// timeline of a topic, and the library's filter, order and marks.
final class WorkbenchPaneTests: XCTestCase {
    /// `/` outside a text field opens the search; Enter lists the moments with the words highlighted; Enter opens
    /// the transcript there, and n in the transcript goes on to the next hit.
    func testSearchTheWholePackAndStepThroughTheHits() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("2"))
        f.driver.press(.character("/"))
        XCTAssertEqual(f.driver.model.focus, SearchPane.id)
        XCTAssertTrue(f.driver.model.search.editing)
        f.driver.type("espresso")
        f.driver.press(.enter)
        let found = await f.driver.waitUntil(timeout: 20) { !$0.search.searching && !$0.search.hits.isEmpty }
        XCTAssertTrue(found, f.screen)
        let hits = f.driver.model.search.hits
        XCTAssertGreaterThan(hits.count, 2)
        XCTAssertTrue(f.screen.contains("\(hits.count) moments for espresso"), f.screen)
        // The word is highlighted in a snippet.
        let theme = f.driver.model.theme
        let lines = f.driver.frame.lines()
        let y = try XCTUnwrap(lines.indices.first { lines[$0].hasPrefix("┃    ") && lines[$0].lowercased().contains("espresso") })
        let x = try XCTUnwrap(lines[y].lowercased().range(of: "espresso")).lowerBound.utf16Offset(in: lines[y].lowercased())
        XCTAssertEqual(f.driver.frame[x, y].style.foreground, theme[.highlight].foreground, lines[y])
        f.driver.press(.enter)
        _ = await f.driver.waitUntil(timeout: 10) { $0.transcript.transcript?.videoID == hits[0].videoID }
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        XCTAssertEqual(f.driver.model.transcript.highlighted, Set(hits[0].segmentIDs))
        f.driver.press(.character("n"))
        _ = await f.driver.waitUntil(timeout: 10) { $0.transcript.highlighted == Set(hits[1].segmentIDs) }
        XCTAssertEqual(f.driver.model.search.selection, 1)
        XCTAssertEqual(f.driver.model.transcript.highlighted, Set(hits[1].segmentIDs))
        f.driver.press(.character("N"))
        _ = await f.driver.waitUntil(timeout: 10) { $0.transcript.highlighted == Set(hits[0].segmentIDs) }
        XCTAssertEqual(f.driver.model.search.selection, 0)
    }

    /// Words typed on a search or timeline pane just opened, without `/`, run no search: digits still switch panes
    /// there (the convention outside text fields), so the line waits for `/`. Before, the "i" of "dictionary"
    /// started a line and the pane searched for "ctionary". Once hits are listed, `i` is a fresh line as in vi.
    func testWordsTypedOnAFreshPaneRunNoWrongSearch() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("6"))
        XCTAssertEqual(f.driver.model.focus, SearchPane.id)
        f.driver.type("dictionary")
        f.driver.press(.enter)
        XCTAssertFalse(f.driver.model.search.editing)
        XCTAssertEqual(f.driver.model.search.query, "", "no search ran")
        XCTAssertTrue(f.driver.model.search.input.isEmpty)
        XCTAssertTrue(f.screen.contains("/ types a search of the whole channel."), f.screen)
        f.driver.type("/dialing in")
        f.driver.press(.enter)
        let found = await f.driver.waitUntil(timeout: 20) { !$0.search.searching && !$0.search.hits.isEmpty }
        XCTAssertTrue(found, f.screen)
        XCTAssertEqual(f.driver.model.search.query, "dialing in")
        f.driver.press(.character("i"))
        XCTAssertTrue(f.driver.model.search.editing, "i starts a fresh line once hits are listed")
        XCTAssertTrue(f.driver.model.search.input.isEmpty)
        // The timeline, the same.
        f.driver.press(.alt("7"))
        XCTAssertEqual(f.driver.model.focus, TimelinePane.id)
        f.driver.type("ideas")
        XCTAssertFalse(f.driver.model.panes[TimelinePane.self].editing)
        XCTAssertNil(f.driver.model.panes[TimelinePane.self].timeline)
        f.driver.type("/grind")
        f.driver.press(.enter)
        let charted = await f.driver.waitUntil(timeout: 20) { $0.panes[TimelinePane.self].timeline != nil }
        XCTAssertTrue(charted, f.screen)
        XCTAssertEqual(f.driver.model.panes[TimelinePane.self].timeline?.topic.text, "grind")
    }

    /// An exact phrase in quotes finds only the moments that say it; a pane whose own `/` searches keeps it.
    /// A search runs off the update loop: while it waits (here on a slow embeddings endpoint) keys move through the
    /// hits listed and type a new query, each painted at once; a newer search replaces it, and the older one's
    /// result never shows.
    func testKeysAreHandledWhileASearchRunsAndTheNewestSearchWins() async throws {
        let embeddings = try FakeEmbeddings(model: "hash-384", dimension: 384)
        defer { embeddings.stop() }
        let config = try PackConfig.parse(Data("""
            {"embedding": {"backend": "openai", "base_url": "\(embeddings.baseURL)", "model": "hash-384", "api_key_env": "YTCE_TEST_KEY"}}
            """.utf8), file: "test.json")
        let f = try ExplorerFixture(width: 120, height: 40, environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("6"))
        f.driver.press(.character("/"))
        f.driver.type("espresso")
        f.driver.press(.enter)
        let found = await f.driver.waitUntil(timeout: 20) { !$0.search.searching && !$0.search.hits.isEmpty }
        XCTAssertTrue(found, f.screen)
        XCTAssertGreaterThan(f.driver.model.search.hits.count, 2)
        embeddings.latency = 3
        f.driver.press(.character("/"))
        f.driver.type("grind")
        f.driver.press(.enter)
        XCTAssertTrue(f.driver.model.search.searching)
        let painted = f.driver.framesPainted
        f.driver.press(.character("j"))
        f.driver.press(.character("j"))
        XCTAssertTrue(f.driver.model.search.searching, "the search is still waiting for the endpoint")
        XCTAssertEqual(f.driver.model.search.selection, 2, "j moved through the hits listed while the search ran")
        XCTAssertGreaterThan(f.driver.framesPainted, painted)
        XCTAssertTrue(f.screen.contains("searching for grind"), f.screen)
        // A newer search while it runs.
        f.driver.press(.character("/"))
        f.driver.type("water")
        XCTAssertTrue(f.screen.contains("/ water"), f.screen)
        embeddings.latency = 0
        f.driver.press(.enter)
        let newest = await f.driver.waitUntil(timeout: 20) { !$0.search.searching }
        XCTAssertTrue(newest, f.screen)
        XCTAssertEqual(f.driver.model.search.query, "water")
        XCTAssertTrue(f.screen.contains("moments for water"), f.screen)
        // The grind search's answer would have come by now: it never replaces the newest.
        try await Task.sleep(nanoseconds: 3_500_000_000)
        _ = await f.driver.settle(timeout: 1)
        XCTAssertEqual(f.driver.model.search.query, "water")
        XCTAssertTrue(f.screen.contains("moments for water"), f.screen)
        XCTAssertGreaterThanOrEqual(embeddings.requestCount, 3)
        // Snippets are cut to the list's width once, with an ellipsis, and cut again to a new width on a resize.
        func snippetRows() -> [String] { f.driver.frame.lines().filter { $0.hasPrefix("┃    ") && $0.contains("…┃") } }
        XCTAssertFalse(snippetRows().isEmpty, f.screen)
        f.driver.resize(width: 90, height: 40)
        let rows = snippetRows()
        XCTAssertFalse(rows.isEmpty, f.screen)
        XCTAssertTrue(rows.allSatisfy { $0.count == 90 }, f.screen)
    }

    func testAPhraseInQuotesAndPanesThatKeepTheirSlash() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("6"))
        f.driver.press(.character("/"))
        f.driver.type("\"dialing in espresso\"")
        f.driver.press(.enter)
        let found = await f.driver.waitUntil(timeout: 20) { !$0.search.searching && !$0.search.hits.isEmpty }
        XCTAssertTrue(found, f.screen)
        for hit in f.driver.model.search.hits {
            XCTAssertTrue(hit.text.lowercased().contains("dialing in espresso"), hit.text)
        }
        // The library's `/` filters its titles rather than searching the pack.
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.character("/"))
        XCTAssertEqual(f.driver.model.focus, LibraryPane.id)
        XCTAssertTrue(f.driver.model.library.filtering)
    }

    /// The timeline charts a topic per upload month (empty months shown); Enter on a bar lists its moments and
    /// Enter on one opens the transcript.
    func testTimelineChartAndABarOpened() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("7"))
        f.driver.press(.character("/"))
        f.driver.type("espresso")
        f.driver.press(.enter)
        let charted = await f.driver.waitUntil(timeout: 20) { $0.timeline.timeline != nil && !$0.timeline.loading }
        XCTAssertTrue(charted, f.screen)
        let timeline = try XCTUnwrap(f.driver.model.timeline.timeline)
        XCTAssertEqual(timeline.periods.map(\.label), ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])
        XCTAssertEqual(timeline.periods[3].count, 0)
        XCTAssertTrue(f.screen.contains("moments per upload month"), f.screen)
        XCTAssertTrue(f.screen.contains("█"), f.screen)
        // To the busiest month, then its moments.
        let busiest = try XCTUnwrap(timeline.periods.indices.max { timeline.periods[$0].count < timeline.periods[$1].count })
        f.driver.press(.character("g"))
        for _ in 0..<busiest { f.driver.press(.character("j")) }
        f.driver.press(.enter)
        let listed = await f.driver.waitUntil(timeout: 10) { $0.timeline.opened != nil }
        XCTAssertTrue(listed, f.screen)
        XCTAssertEqual(f.driver.model.timeline.opened?.hits.count, timeline.periods[busiest].count)
        XCTAssertTrue(f.screen.contains("\(timeline.periods[busiest].label): \(timeline.periods[busiest].count) moments"), f.screen)
        // Each moment is shown from a little before the topic's word, not from its opening (a moment runs for minutes).
        let rows = f.driver.frame.lines().filter { $0.range(of: #"\d\d:\d\d-\d\d:\d\d "#, options: .regularExpression) != nil }
        XCTAssertEqual(rows.count, timeline.periods[busiest].count, f.screen)
        for row in rows { XCTAssertTrue(row.lowercased().contains("espresso"), row) }
        let first = try XCTUnwrap(f.driver.model.timeline.opened?.hits.first)
        // p pins the moment, from where the topic is said.
        f.driver.press(.character("p"))
        _ = await f.driver.waitUntil(timeout: 10) { $0.panes[BriefPane.self].brief.pins.count == 1 }
        let pin = try XCTUnwrap(f.driver.model.panes[BriefPane.self].brief.pins.first)
        XCTAssertEqual(pin.videoID, first.videoID)
        XCTAssertTrue(pin.quote.lowercased().prefix(120).contains("espresso"), pin.quote)
        f.driver.press(.enter)
        _ = await f.driver.waitUntil(timeout: 10) { $0.transcript.transcript?.videoID == first.videoID }
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        // b goes through the groupings: a year.
        f.driver.press(.alt("7"))
        f.driver.press(.escape)
        f.driver.press(.character("b"))
        _ = await f.driver.waitUntil(timeout: 10) { $0.timeline.timeline?.grouping == .year && !$0.timeline.loading }
        XCTAssertEqual(f.driver.model.timeline.timeline?.periods.map(\.label), ["2025"])
    }

    /// The library filters by title, orders by duration, shows dates, and marks videos.
    func testLibraryFilterOrderAndMarks() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        XCTAssertTrue(f.screen.contains("2025-01-18"), f.screen)
        f.driver.press(.character("/"))
        f.driver.type("ESPRESSO dial")
        XCTAssertEqual(f.driver.model.library.shown.count, 1)
        XCTAssertTrue(f.screen.contains("1 of 5 videos"), f.screen)
        f.driver.press(.enter)
        XCTAssertFalse(f.driver.model.library.filtering)
        f.driver.press(.character("m"))
        XCTAssertEqual(f.driver.model.library.marked, ["bN4oY8wJ-s0"])
        XCTAssertTrue(f.screen.contains("1 marked"), f.screen)
        f.driver.press(.character("/"))
        f.driver.press(.escape)
        XCTAssertEqual(f.driver.model.library.shown.count, 5)
        // The cursor stays on the video it was on.
        XCTAssertEqual(f.driver.model.library.selected?.videoID, "bN4oY8wJ-s0")
        f.driver.press(.character("O"), .character("O"))
        XCTAssertEqual(f.driver.model.library.order, .duration)
        let library = f.driver.model.library
        XCTAssertEqual(library.shown.map { library.videos[$0].durationSec }, [622, 345, 291, 270, 265])
        XCTAssertEqual(library.selected?.videoID, "bN4oY8wJ-s0")
    }

    /// `:compare PACK QUESTION` with a model configured: the config's model answers each pack from that pack's own
    /// evidence (a loopback OpenAI-compatible server), one answer with each channel's part under its name and the
    /// citations named by channel; after `:backend offline` the comparison answers offline too, as the pack does.
    func testCompareWithTheConfiguredModel() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { request in
            let prompt = (try? JSONValue.parse(Data(request.body)))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            let cited = CitationParser.citations(in: prompt).first?.citation.description ?? "[none @ 00:00-00:01]"
            let content = JSONValue.serialize(.string("The model says grind finer \(cited)."))
            return .json(#"{"choices":[{"message":{"role":"assistant","content":"# + content + #"},"finish_reason":"stop"}]}"#)
        }
        let config = try PackConfig.parse(Data("""
            {"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\(server.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}
            """.utf8), file: "test.json")
        let f = try ExplorerFixture(width: 120, height: 50, environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        let other = f.root.appendingPathComponent("other.pack")
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: other.path)
        await f.waitForPack()
        func compare() async throws -> String {
            f.driver.press(.character(":"))
            f.driver.type("compare \(other.path) how fine should I grind for espresso")
            f.driver.press(.enter)
            let shown = await f.driver.waitUntil(timeout: 30) { $0.popup != nil }
            XCTAssertTrue(shown, f.driver.model.status.error ?? f.screen)
            guard case .text(let popup)? = f.driver.model.popup else { throw XCTSkip("no popup") }
            f.driver.press(.escape)
            return popup.lines.map(\.plainText).joined(separator: "\n")
        }
        let text = try await compare()
        XCTAssertEqual(server.requests(to: "/chat/completions").count, 2, "one model call per pack")
        // One answer: each channel's under its name (the two share a title, so their paths name them), the sources
        // numbered once and named by channel.
        XCTAssertTrue(text.hasPrefix("Coffee Lab ("), text)
        XCTAssertTrue(text.contains("Coffee Lab (\(other.path)): The model says grind finer ["), text)
        XCTAssertEqual(text.components(separatedBy: "The model says grind finer [").count, 3, text)
        XCTAssertTrue(text.contains("[2] [Coffee Lab ("), text)
        XCTAssertTrue(text.contains("] [Coffee Lab (\(other.path))] "), text)
        XCTAssertTrue(text.contains("Scores compare across channels: "), text)

        f.driver.press(.character(":"))
        f.driver.type("backend offline")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.backendLabel == "offline" }
        let offline = try await compare()
        XCTAssertEqual(server.requests(to: "/chat/completions").count, 2, "offline: no model call")
        XCTAssertFalse(offline.contains("The model says"), offline)
        XCTAssertTrue(offline.contains("Coffee Lab (\(other.path)): "), offline)
    }
}

extension ExplorerModel {
    var search: SearchPane { panes[SearchPane.self] }
    var timeline: TimelinePane { panes[TimelinePane.self] }
}
