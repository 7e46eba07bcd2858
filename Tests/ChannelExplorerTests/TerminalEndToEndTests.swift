import Foundation
import HTTPTestServer
import PackKit
import TestHarness
import XCTest

/// The real thing: `ytce` in a real terminal (tmux), driven by keystrokes and read back from the screen.
final class TerminalEndToEndTests: TerminalTestCase {
    func keys(_ keys: String...) { for key in keys { terminal.keys(key) } }
    func type(_ text: String) { terminal.type(text) }
    func tmux(_ arguments: [String]) { terminal.run(arguments) }

    func testAskOpenCitationSearchSubmitResizeAndQuitInARealTerminal() throws {
        let binary = try Self.ytceBinary()
        let fake = try FakeRunPod()
        defer { fake.stop() }
        fake.enqueue(.completing(text: "Summary: grind, dose, time.", queuedPolls: 2, runningPolls: 2))
        let pack = work.appendingPathComponent("coffee-lab.pack")
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: pack.path)
        let config = work.appendingPathComponent("config.json")
        try #"{"jobs": {"poll_interval_s": 0.2}}"#.write(to: config, atomically: true, encoding: .utf8)
        let sttyFile = work.appendingPathComponent("stty.txt").path
        let env = "YTCE_DATA_DIR=\(work.path)/data YTCE_CACHE_DIR=\(work.path)/cache HOME=\(work.path) TERM=xterm-256color "
            + "RUNPOD_ENDPOINT_URL=\(fake.endpointURL) RUNPOD_API_KEY=\(fake.apiKey)"
        // After ytce exits, the shell records the terminal modes and stays, so the restored screen can be read.
        let command = "env \(env) \(binary) --config \(config.path) \(pack.path); echo EXIT=$?; stty -a > \(sttyFile).part && mv \(sttyFile).part \(sttyFile); sleep 60"
        terminal.start(command, width: 120, height: 40)

        waitFor("the question pane") { $0.contains("Ask Coffee Lab a question") }
        XCTAssertEqual(terminal.format("alternate_on"), "1")

        // Ask: a cited answer with numbered markers.
        type("how fine should I grind for espresso")
        keys("Enter")
        var text = waitFor("a cited answer") { $0.contains("[1]") && $0.contains("[2] ") }
        XCTAssertTrue(text.contains("Dialing In Espresso"), text)

        // The expected first citation, computed by the engine itself.
        let opened = try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: work.appendingPathComponent("cache2"))))
        let retriever = try Retriever(pack: opened, cache: PackCache(directory: work.appendingPathComponent("cache2")))
        let first = try XCTUnwrap(try QuestionAnswerer(pack: opened, retriever: retriever)
            .prepare("how fine should I grind for espresso", forModel: false).offline?.sources.first)
        let segment = try XCTUnwrap(try VideoTranscript.load(first.citation.videoID, from: opened).segments.first { $0.id == first.segmentIDs[0] })

        // Open the citation: the transcript at the cited segment, highlighted.
        keys("M-2")
        waitFor("the citation browser focused") { $0.contains("┏━ Citations") }
        keys("Enter")
        text = waitFor("the transcript at the cited segment") { $0.contains("▌" + Citation.timestamp(segment.startMs)) }
        XCTAssertTrue(text.contains(String(segment.text.prefix(20))), text)

        // Search inside the transcript.
        keys("/")
        type("espresso")
        keys("Enter")
        waitFor("search matches") { $0.contains("for 'espresso' (n/N)") }
        keys("n")
        waitFor("the next match") { $0.contains("match ") && $0.contains("for 'espresso'") && !$0.contains("(n/N)") }

        // Submit this video for summarisation and watch the job complete.
        keys("s")
        keys("M-5")
        text = waitFor("the job to complete", timeout: 30) { $0.contains("completed") && $0.contains("1 done") }
        XCTAssertTrue(text.contains(first.citation.videoID), text)

        // Resize: the frame is redrawn at the new size, and the too-small note below the minimum.
        terminal.resize(width: 70, height: 22)
        text = waitFor("the 70×22 layout") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 22 && lines[20].hasSuffix("┛") && lines[21].contains("? help")
        }
        terminal.resize(width: 50, height: 15)
        waitFor("the too-small note") { $0.contains("terminal too small") }
        terminal.resize(width: 120, height: 40)
        waitFor("the full layout again") { $0.contains("┏━ Jobs") }

        // Quit: the terminal is restored (main screen, echo and canonical mode back on).
        keys("q")
        text = waitFor("ytce to exit") { $0.contains("EXIT=0") }
        XCTAssertFalse(text.contains("┏━"), "the UI is gone from the main screen:\n\(text)")
        XCTAssertEqual(terminal.format("alternate_on"), "0")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !FileManager.default.fileExists(atPath: sttyFile) { Thread.sleep(forTimeInterval: 0.05) }
        let modes = try String(contentsOfFile: sttyFile, encoding: .utf8)
        let flags = Set(modes.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
        XCTAssertTrue(flags.contains("echo") && flags.contains("icanon") && flags.contains("icrnl"), modes)
    }

    func testCtrlCAndSIGTERMRestoreTheTerminal() throws {
        let binary = try Self.ytceBinary()
        for (index, stop) in ["ctrl-c", "sigterm"].enumerated() {
            let sttyFile = work.appendingPathComponent("stty-\(index).txt").path
            let pidFile = work.appendingPathComponent("pid-\(index).txt").path
            let env = "YTCE_DATA_DIR=\(work.path)/data YTCE_CACHE_DIR=\(work.path)/cache HOME=\(work.path) TERM=xterm-256color"
            let command = "env \(env) sh -c 'echo $$ > \(pidFile); exec \(binary) \(ExplorerFixture.samplePack)'; echo EXIT=$?; stty -a > \(sttyFile).part && mv \(sttyFile).part \(sttyFile); sleep 60"
            // A tmux server of its own each time: a new session on the one just killed can race its shutdown.
            if index > 0, let fresh = TmuxSession(scratch: work) { terminal = fresh }
            terminal.start(command, width: 100, height: 30)
            waitFor("the question pane (\(stop))") { $0.contains("Ask Coffee Lab a question") }
            if stop == "ctrl-c" {
                keys("C-c")
            } else {
                let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                kill(pid_t(pid) ?? 0, SIGTERM)
            }
            let text = waitFor("ytce to exit after \(stop)") { $0.contains("EXIT=") }
            XCTAssertTrue(stop == "ctrl-c" ? text.contains("EXIT=0") : text.contains("EXIT=143"), text)
            XCTAssertEqual(terminal.format("alternate_on"), "0")
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline, !FileManager.default.fileExists(atPath: sttyFile) { Thread.sleep(forTimeInterval: 0.05) }
            let flags = Set(((try? String(contentsOfFile: sttyFile, encoding: .utf8)) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init))
            XCTAssertTrue(flags.contains("echo") && flags.contains("icanon"), "\(stop): \(flags.sorted())")
            tmux(["kill-session", "-t", terminal.session])
        }
    }

    static func ytceBinary() throws -> String {
        guard let path = BuiltProducts.executable("ytce", fallback: ExplorerFixture.repository.appendingPathComponent(".build/debug")) else {
            throw XCTSkip("ytce binary not built")
        }
        return path
    }
}
