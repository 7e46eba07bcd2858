import Foundation
import XCTest
@testable import PackKit

/// `pack ask --session`, `--format`, scope options, `ytce sessions …` and `eval --answers` on conversations, as a
/// script runs them, on the bundled sample pack with a data folder of the test's own.
final class SessionsCLITests: XCTestCase {
    func testSessionsFromTheCommandLine() throws {
        let ytce = try TestSupport.ytceBinary()
        let dir = TestSupport.temporaryDirectory(self)
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_DATA_DIR"] = dir.appendingPathComponent("data").path
        let pack = ConversationTests.samplePack
        let cache = ["--cache-dir", dir.appendingPathComponent("cache").path]
        func ytceRun(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try TestSupport.run(ytce, arguments, environment: environment)
        }
        func ask(_ question: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
            try ytceRun(["pack", "ask", "--pack", pack, "--question", question] + cache + extra)
        }

        XCTAssertEqual(try ask("how long should cold brew steep", ["--session", "brew"]).status, 0)
        let followUp = try ask("and what grind does it need?", ["--session", "brew", "--format", "json"])
        XCTAssertEqual(followUp.status, 0, followUp.stderr)
        let json = try JSONValue.parse(Data(followUp.stdout.utf8))
        XCTAssertEqual(json["followed_on"]?.boolValue, true)
        XCTAssertEqual(json["grounded"]?.boolValue, true)
        XCTAssertEqual(json["session"]?.stringValue, "brew")
        XCTAssertEqual(json["citations"]?.arrayValue?.first?["video_id"]?.stringValue, ConversationTests.coldBrew)
        // Without the session, the same words find nothing.
        XCTAssertTrue(try ask("and what grind does it need?").stdout.contains("holds nothing that answers"))

        let list = try ytceRun(["sessions", "list"])
        XCTAssertTrue(list.stdout.hasPrefix("brew\t"), list.stdout)
        XCTAssertTrue(list.stdout.contains("2 questions"), list.stdout)
        let show = try ytceRun(["sessions", "show", "brew"])
        XCTAssertTrue(show.stdout.contains("❯ and what grind does it need?"), show.stdout)
        XCTAssertTrue(show.stdout.contains("Citations:"), show.stdout)
        let exported = try JSONValue.parse(Data(try ytceRun(["sessions", "export", "brew", "--format", "json"]).stdout.utf8))
        XCTAssertEqual(exported["turns"]?.arrayValue?.count, 2)
        XCTAssertEqual(exported["name"]?.stringValue, "brew")
        let file = dir.appendingPathComponent("brew.md").path
        XCTAssertEqual(try ytceRun(["sessions", "export", "brew", "-o", file]).status, 0)
        let markdown = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# brew\n"), markdown)
        XCTAssertTrue(markdown.contains("## and what grind does it need?"), markdown)
        XCTAssertTrue(markdown.contains("[1]"), markdown)
        XCTAssertTrue(markdown.contains("<https://youtu.be/\(ConversationTests.coldBrew)?t="), markdown)
        // --out, as pack build and compact name it (and --output): the same file.
        for flag in ["--out", "--output"] {
            let other = dir.appendingPathComponent("brew\(flag).md").path
            XCTAssertEqual(try ytceRun(["sessions", "export", "brew", flag, other]).status, 0, flag)
            XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), markdown, flag)
        }
        XCTAssertTrue(try ytceRun(["sessions", "search", "grind", "NEED"]).stdout.hasPrefix("brew #2\t"))
        XCTAssertEqual(try ytceRun(["sessions", "rm", "brew"]).stdout, "removed brew\n")
        let gone = try ytceRun(["sessions", "show", "brew"])
        XCTAssertEqual(gone.status, 1)
        XCTAssertEqual(gone.stderr, "ytce: no saved conversation 'brew' (see `ytce sessions list`)\n")

        // One answer as Markdown; bad options say what is wrong in one line.
        let md = try ask("how long should cold brew steep", ["--format", "markdown"])
        XCTAssertTrue(md.stdout.hasPrefix("## how long should cold brew steep\n"), md.stdout)
        XCTAssertTrue(md.stdout.contains("Sources:"), md.stdout)
        XCTAssertNotEqual(try ask("q", ["--json", "--format", "markdown"]).status, 0)
        let badVideo = try ask("grind", ["--video", "nope"])
        XCTAssertEqual(badVideo.status, 1)
        XCTAssertTrue(badVideo.stderr.contains("scope: the pack has no video 'nope'"), badVideo.stderr)
        let dashed = try ask("grind", ["--video", "-nope"])
        XCTAssertEqual(dashed.stderr, "ytce: \(pack): scope: the pack has no video '-nope'\n", "a dash-led id is a value")
        let badDate = try ask("grind", ["--since", "2020-1"])
        XCTAssertEqual(badDate.stderr, "ytce: --since '2020-1': expected a date as YYYY, YYYY-MM or YYYY-MM-DD\n")
        let scoped = try ytceRun(["pack", "search", "--pack", pack, "--question", "grind", "--title", "cold brew", "--json"] + cache)
        let hits = try JSONValue.parse(Data(scoped.stdout.utf8))["hits"]?.arrayValue ?? []
        XCTAssertFalse(hits.isEmpty)
        XCTAssertTrue(hits.allSatisfy { $0["video_id"]?.stringValue == ConversationTests.coldBrew }, scoped.stdout)
        // Comparing packs (issue 17) answers each pack once, offline: what belongs to one pack's conversation is refused.
        let twice = ["--pack", pack, "--pack", pack]
        for extra in [["--session", "brew"], ["--title", "cold brew"], ["--format", "markdown"]] {
            let refused = try ytceRun(["pack", "ask", "--question", "grind"] + twice + cache + extra)
            XCTAssertEqual(refused.status, 1, extra.description)
            XCTAssertEqual(refused.stderr, "ytce: comparing packs (--pack given more than once) takes no --session, scope options or --format markdown\n")
        }
        let compared = try ytceRun(["pack", "ask", "--question", "grind", "--format", "json"] + twice + cache)
        XCTAssertEqual(compared.status, 0, compared.stderr)
        XCTAssertEqual(try JSONValue.parse(Data(compared.stdout.utf8))["packs"]?.arrayValue?.count, 2)
        XCTAssertEqual(try ytceRun(["pack", "search", "--question", "grind", "--video", "x"] + twice + cache).stderr,
                       "ytce: comparing packs (--pack given more than once) takes no scope options\n")
    }

    /// `eval --answers` asks an item's turns in one session and judges the last answer.
    func testEvalAnswersAsksTurnsInOneSession() throws {
        let ytce = try TestSupport.ytceBinary()
        let dir = TestSupport.temporaryDirectory(self)
        let questions = dir.appendingPathComponent("followups.json")
        try Data("""
            {"questions": [{"id": "f1", "kind": "followup", "turns": ["how long should cold brew steep", "and what grind does it need?"],
              "gold": [{"video_id": "\(ConversationTests.coldBrew)", "start_ms": 225000, "end_ms": 236000}]}]}
            """.utf8).write(to: questions)
        let cache = ["--cache-dir", dir.appendingPathComponent("cache").path]
        let run = try TestSupport.run(ytce, ["eval", "--answers", "--pack", ConversationTests.samplePack, "--questions", questions.path,
                                             "--json", "--per-question"] + cache)
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try JSONValue.parse(Data(run.stdout.utf8))
        XCTAssertEqual(report["overall"]?["cites_gold"]?.doubleValue, 1, run.stdout)
        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"questions": [{"id": "f1", "turns": [], "gold": []}]}"#.utf8).write(to: bad)
        let badRun = try TestSupport.run(ytce, ["eval", "--answers", "--pack", ConversationTests.samplePack, "--questions", bad.path] + cache)
        XCTAssertEqual(badRun.stderr, "ytce: \(bad.path): question 0: 'turns' must be a non-empty array of questions\n")
        let misplaced = try TestSupport.run(ytce, ["eval", "--one-conversation", "--pack", ConversationTests.samplePack, "--questions", questions.path] + cache)
        XCTAssertEqual(misplaced.stderr, "ytce: --one-conversation needs --answers\n")
    }

    /// The question may be typed as words after the options, as people do first; given twice or not at all, it is a
    /// one-line error and a failure.
    func testQuestionAsWordsAfterTheOptions() throws {
        let ytce = try TestSupport.ytceBinary()
        let dir = TestSupport.temporaryDirectory(self)
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_DATA_DIR"] = dir.appendingPathComponent("data").path
        let pack = ConversationTests.samplePack
        let cache = ["--cache-dir", dir.appendingPathComponent("cache").path]
        func ytceRun(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try TestSupport.run(ytce, arguments, environment: environment)
        }
        let flagged = try ytceRun(["pack", "ask", "--pack", pack, "--json", "--question", "how long should cold brew steep"] + cache)
        let worded = try ytceRun(["pack", "ask", "--pack", pack, "--json"] + cache + ["how", "long", "should", "cold", "brew", "steep"])
        XCTAssertEqual(worded.status, 0, worded.stderr)
        XCTAssertEqual(worded.stdout, flagged.stdout)
        XCTAssertTrue(worded.stdout.contains(ConversationTests.coldBrew), worded.stdout)
        let searched = try ytceRun(["pack", "search", "--pack", pack, "--json", "cold", "brew"] + cache)
        XCTAssertEqual(searched.status, 0, searched.stderr)
        XCTAssertTrue(searched.stdout.contains(ConversationTests.coldBrew), searched.stdout)

        let twice = try ytceRun(["pack", "ask", "--pack", pack, "--question", "cold brew", "steep"] + cache)
        XCTAssertNotEqual(twice.status, 0)
        XCTAssertTrue(twice.stderr.contains("give the question once"), twice.stderr)
        let none = try ytceRun(["pack", "search", "--pack", pack] + cache)
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("no question"), none.stderr)
    }
}
