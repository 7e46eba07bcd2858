@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// The question pane and the citation browser, on the sample pack, through update and view only.
final class AskFlowTests: XCTestCase {
    func testAnswerShowsNumberedMarkersAndCitations() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let screen = f.screen
        print(screen)
        XCTAssertTrue(screen.contains("❯ how fine should I grind for espresso"), screen)
        XCTAssertTrue(screen.contains("[1]"), screen)
        XCTAssertFalse(screen.contains("@ 00:"), "raw citations should be numbered markers:\n\(screen)")
        XCTAssertTrue(screen.contains("Citations"), screen)
        XCTAssertTrue(screen.contains("Dialing In Espresso"), screen)
        // Each citation's snippet is the sentence it backs, not the start of its moment.
        let sources = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources)
        let answer = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.text)
        // The citation browser is the right-hand pane at this width (the answer itself is on the left).
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let header = try XCTUnwrap(lines.firstIndex { String($0).contains("Citations ─") })
        let column = try XCTUnwrap(String(lines[header]).range(of: "┌─ Citations").map { String(lines[header])[..<$0.lowerBound].count })
        let browser = lines.map { $0.count > column ? String($0[column...]) : "" }.joined(separator: "\n")
        for source in sources.prefix(3) {
            XCTAssertFalse(source.excerpt.isEmpty)
            XCTAssertTrue(answer.contains(source.excerpt), "\(source.excerpt) is quoted in the answer")
            XCTAssertTrue(browser.contains(String(source.excerpt.prefix(24))), "snippet of \(source.citation):\n\(browser)")
        }
    }
}

/// The status bar says how questions are matched; a missing model's note stands on its own line under the answer.
final class RetrievalModeTests: XCTestCase {
    func testTheStatusBarSaysWhichRetrievalAnswers() async throws {
        let hash = try ExplorerFixture()
        defer { hash.cleanUp() }
        await hash.waitForPack()
        let bar = String(hash.screen.split(separator: "\n").last ?? "")
        XCTAssertTrue(bar.contains("offline · hash"), bar)

        let minilm = ExplorerFixture.repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures/reference-packs/py4e.minilm.pack")
        guard FileManager.default.fileExists(atPath: minilm.path) else {
            throw XCTSkip("../shared not found next to the repo; the MiniLM half of this test needs its py4e.minilm.pack")
        }
        var config = PackConfig()
        config.embedding.modelDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-no-model-\(UUID().uuidString)").path
        let lexical = try ExplorerFixture(packs: [minilm.path], config: config)
        defer { lexical.cleanUp() }
        await lexical.waitForPack()
        var lines = lexical.screen.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.last?.contains("offline · lexical only") ?? false, lines.last ?? "")
        XCTAssertFalse(lines.last?.contains("lexical search only") ?? true, "the reason is not glued to the opening notice: \(lines.last ?? "")")
        await lexical.ask("what is the difference between a list and a tuple")
        lines = lexical.screen.split(separator: "\n").map(String.init)
        let note = try XCTUnwrap(lines.firstIndex { $0.contains("note: lexical search only") }, lexical.screen)
        XCTAssertTrue(lines[note].hasPrefix("┃note: lexical search only"), "the note starts its own line:\n\(lexical.screen)")
        XCTAssertTrue(lines[note - 1].contains("[") , "the answer ends just above it:\n\(lexical.screen)")
    }
}
