import ChannelExplorer
import Foundation
import HTTPTestServer
import JobKit
import PackKit
import TestHarness
import TUI

/// `ytce-bench --tui [--videos N]`: the terminal UI's budgets.
/// 1. Frame time: every pane of the explorer rendered into a 200×60 buffer (the view alone, no terminal).
/// 2. Keystroke → painted screen in a real terminal (tmux), while an LLM answer streams and 100 jobs poll every second:
///    each key's send time (taken just before `tmux send-keys`) against the paint that followed it (from ytce's
///    YTCE_TUI_TRACE; both CLOCK_MONOTONIC).
/// 3. Opening the 500-hour pack from the picker while keys keep coming: the slowest key → paint during the open.
enum TUIBench {
    /// The bench's parts, for `--only PART`.
    enum Part: String, CaseIterable {
        case frames, keys, open
    }

    static func run(ytce: String, work: URL, videos: Int, only: Part? = nil) throws {
        let sample = samplePack()
        if only == nil || only == .frames { try frameTimes(sample: sample, work: work) }
        guard only != .frames else { return }
        guard TmuxSession.tmuxPath != nil else { print("tui: tmux not installed: skipping the terminal parts"); return }
        if only == nil || only == .keys { try keystrokes(ytce: ytce, sample: sample, work: work) }
        if only == nil || only == .open { try openLargePack(ytce: ytce, work: work, videos: videos) }
    }

    static func samplePack() -> String {
        var dir = URL(fileURLWithPath: Bench.executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("sample-packs/coffee-lab.pack").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/sample-packs/coffee-lab.pack"
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    // MARK: frame time

    static func frameTimes(sample: String, work: URL) throws {
        let data = work.appendingPathComponent("tui-frames")
        try? FileManager.default.removeItem(at: data)
        // The explorer's own loop on an in-memory terminal.
        let explorer = try BenchExplorer(pack: sample, data: data, cache: data.appendingPathComponent("cache"))
        defer { explorer.stop() }
        let driver = explorer.driver, program = driver.program
        func wait(_ predicate: (ExplorerModel) -> Bool) { explorer.wait(timeout: 20, predicate) }
        wait { $0.session != nil }
        for question in ["how fine should I grind for espresso", "what water recipe do you use", "how long should cold brew steep"] {
            driver.type(question)
            driver.press(.enter)
            wait { $0.panes[AskPane.self].entries.last?.state == .done }
        }
        var results: [(String, Double, Double)] = []
        let panes: [(name: String, keys: [Key], typed: String)] = [
            ("ask+citations", [.alt("1")], ""), ("transcript", [.alt("2"), .enter], ""), ("library", [.alt("4")], ""),
            ("jobs", [.alt("5")], ""), ("search, 50 hits", [.alt("6"), .character("/")], "grind espresso\r"),
            ("help overlay", [.alt("3"), .character("?")], ""),
        ]
        for (name, keys, typed) in panes {
            driver.press(keys)
            for piece in typed.split(separator: "\r", omittingEmptySubsequences: false).enumerated() {
                if piece.offset > 0 { driver.press(.enter) }
                driver.type(String(piece.element))
            }
            wait { !$0.panes[TranscriptPane.self].loading && !$0.panes[LibraryPane.self].loading && !$0.panes[SearchPane.self].searching }
            var times: [Double] = []
            var buffer = CellBuffer(width: 200, height: 60)
            for _ in 0..<500 {
                let start = ContinuousClock.now
                buffer.reset(width: 200, height: 60)  // as the runtime does: one buffer per frame, reused
                program.view(driver.model, into: &buffer)
                times.append(StreamBench.milliseconds(ContinuousClock.now - start))
            }
            if keys.last == .character("?") { driver.press(.escape) }
            times.sort()
            results.append((name, percentile(times, 0.5), percentile(times, 0.99)))
        }
        for (name, p50, p99) in results {
            print(String(format: "tui: 200×60 frame, %@: p50 %.2f ms, p99 %.2f ms (target p50 ≤ 0.6 ms); load %@", name, p50, p99,
                         MiniLMBench.loadAverage()))
        }
    }

    // MARK: keystrokes in a real terminal

    /// The trace's clock (see `RuntimeOptions.tracePath`).
    static func now() -> UInt64 { monotonicNanoseconds() }

    /// Latency of each key sent at `sends` to the first frame painted after input read at or after it (`total`), and
    /// the part of it inside ytce, from reading the input to the frame painted (`app`); the rest is the key's way in
    /// (starting a `tmux send-keys` client, tmux writing to the terminal), which a terminal emulator does not pay.
    static func latencies(sends: [UInt64], trace: String) -> [(total: Double, app: Double)] {
        let frames: [(read: UInt64, painted: UInt64)] = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]) else { return nil }
                return (a, b)
            }
        return sends.compactMap { sent in
            frames.first { $0.read >= sent }.map { (Double($0.painted - sent) / 1e6, Double($0.painted - $0.read) / 1e6) }
        }
    }

    static func keystrokes(ytce: String, sample: String, work: URL) throws {
        let dir = work.appendingPathComponent("tui-keys")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // An OpenAI-compatible model that streams a long answer (a piece every 20 ms for a minute) citing the evidence
        // it was given, as a real one does: the explorer shows a model's draft only from its first citation on (a
        // draft that cites nothing is asked for again and discarded), so an answer without citations never streams.
        let llm = try FakeChatModel(words: 3000, interval: 0.02)
        defer { llm.stop() }
        // 100 jobs that stay in progress, polled every second.
        let fake = try FakeRunPod()
        defer { fake.stop() }
        fake.enqueue(Array(repeating: FakeRunPod.Script.staying(.inProgress), count: 100))
        let environment = ["YTCE_DATA_DIR": dir.appendingPathComponent("data").path, "HOME": dir.path,
                           "RUNPOD_ENDPOINT_URL": fake.endpointURL, "RUNPOD_API_KEY": fake.apiKey, "BENCH_LLM_KEY": "sk-bench"]
        var config = PackConfig()
        config.jobs = ["poll_interval_s": .number(1), "max_wait_s": .number(7200)]
        let jobs = try JobsService(config: config, environment: environment)
        guard let runner = jobs.runner else { print("tui: no runner"); return }
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            for i in 0..<100 {
                let file = dir.appendingPathComponent("t\(i).txt")
                try? Data("transcript \(i)\n".utf8).write(to: file)
                guard let text = try? TranscriptText.file(file.path, timestamps: false) else { continue }
                _ = try? await runner.submit(text, source: file.path, outputs: JobOutputs(directory: dir.path))
            }
            semaphore.signal()
        }
        semaphore.wait()
        let configFile = dir.appendingPathComponent("config.json")
        try """
            {"jobs": {"poll_interval_s": 1, "max_wait_s": 7200},
             "llm": {"backend": "openai", "provider": "openai", "model": "bench-model", "max_new_tokens": 4000, "context_tokens": 16000,
                     "extra": {"base_url": "\(llm.baseURL)", "api_key_env": "BENCH_LLM_KEY"}}}
            """.write(to: configFile, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("trace.txt").path
        let env = environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + " YTCE_TUI_TRACE=\(trace) TERM=xterm-256color"
        guard let tmux = TmuxSession(scratch: dir) else { return }
        defer { tmux.kill() }
        tmux.start("env \(env) \(ytce) --config \(configFile.path) \(sample); sleep 30", width: 200, height: 60)
        guard tmux.waitFor(timeout: 20, { $0.contains("Ask Coffee Lab") }).ok else { print("tui: ytce did not start"); return }
        let cpu = ProcessCPU(tmux: tmux)
        tmux.type("how fine should I grind for espresso")
        tmux.keys("Enter")
        guard tmux.waitFor(timeout: 20, { $0.contains("word12") }).ok else {
            print("tui: the answer did not stream (\(llm.requestCount) model requests)")
            return
        }
        Thread.sleep(forTimeInterval: 1.5)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let phases: [(name: String, setUp: () -> Void, key: (Int) -> Void)] = [
            ("ask pane, typing", {}, { tmux.type(String(letters[$0 % letters.count])) }),
            ("transcript, j/k", { tmux.keys("M-4"); Thread.sleep(forTimeInterval: 0.3); tmux.keys("Enter") },
             { tmux.keys($0 % 4 < 2 ? "j" : "k") }),
            ("search pane, typing", { tmux.keys("M-6"); Thread.sleep(forTimeInterval: 0.3); tmux.keys("/") },
             { tmux.type(String(letters[$0 % letters.count])) }),
        ]
        for phase in phases {
            phase.setUp()
            Thread.sleep(forTimeInterval: 0.5)
            let streaming = tmux.screen.contains("answering")
            let figures = measureKeys(count: 150, every: 0.03, trace: trace, cpu: cpu, send: phase.key)
            print(String(format: "tui: keystroke → painted, %@ (answer streaming: %@; 100 jobs polled each second, %d polls so far): %@",
                         phase.name, streaming ? "yes" : "NO", fake.requestCount(.status), figures))
        }
        tmux.keys("C-c")
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// Sends `count` keys, one each `every` seconds, and gives their key → paint latencies from the trace and the
    /// app's CPU time per key (beyond what it used in as long without keys just before, streaming and polling).
    static func measureKeys(count: Int, every: Double, trace: String, cpu: ProcessCPU?, send: (Int) -> Void) -> String {
        let idleStart = (cpu?.seconds, now())
        Thread.sleep(forTimeInterval: 2)
        let idle = (cpu?.seconds, now())
        var sends: [UInt64] = []
        for i in 0..<count {
            sends.append(now())
            send(i)
            Thread.sleep(forTimeInterval: every)
        }
        Thread.sleep(forTimeInterval: 0.3)
        let done = (cpu?.seconds, now())
        var perKey = "?"
        if let a = idleStart.0, let b = idle.0, let c = done.0 {
            let idleRate = (b - a) / (Double(idle.1 - idleStart.1) / 1e9)
            let busy = (c - b) - idleRate * Double(done.1 - idle.1) / 1e9
            perKey = String(format: "%.2f ms", max(0, busy) / Double(count) * 1000)
        }
        let measured = latencies(sends: sends, trace: trace)
        let lat = measured.map(\.total).sorted(), app = measured.map(\.app).sorted()
        return String(format: "%d keys, p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 ≤ 16 ms), of which in ytce (input read → painted) p50 %.1f ms, p99 %.1f ms; CPU per key %@; load %@",
                      lat.count, percentile(lat, 0.5), percentile(lat, 0.99), lat.last ?? .nan, percentile(app, 0.5), percentile(app, 0.99),
                      perKey, MiniLMBench.loadAverage())
    }

    // MARK: opening the large pack

    static func openLargePack(ytce: String, work: URL, videos: Int) throws {
        let input = work.appendingPathComponent("input-\(videos)")
        let pack = work.appendingPathComponent("synthetic-\(videos).pack")
        if !FileManager.default.fileExists(atPath: pack.path) {
            if !FileManager.default.fileExists(atPath: input.appendingPathComponent("videos.json").path) {
                try SyntheticChannel(videos: videos).write(to: input)
            }
            let (_, _, status) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", pack.path])
            guard status == 0 else { print("tui: building the \(videos)-hour pack failed"); return }
        }
        let dir = work.appendingPathComponent("tui-open")
        try? FileManager.default.removeItem(at: dir)
        let packs = dir.appendingPathComponent("data/packs")
        try FileManager.default.createDirectory(at: packs, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: packs.appendingPathComponent("synthetic.pack"), withDestinationURL: pack)
        let trace = dir.appendingPathComponent("trace.txt").path
        let env = "YTCE_DATA_DIR=\(dir.path)/data YTCE_CACHE_DIR=\(dir.path)/cache HOME=\(dir.path) YTCE_TUI_TRACE=\(trace) TERM=xterm-256color"
        guard let tmux = TmuxSession(scratch: dir) else { return }
        defer { tmux.kill() }
        tmux.start("env \(env) \(ytce); sleep 30", width: 160, height: 48)
        guard tmux.waitFor(timeout: 20, { $0.contains("Synthetic") || $0.contains("synthetic") }).ok else { print("tui: the picker did not list the pack"); return }
        tmux.type("synth")
        Thread.sleep(forTimeInterval: 0.3)
        let opening = now()
        tmux.keys("Enter")
        // Keys keep coming while the pack opens (cold cache: it is unpacked and checked first).
        var sends: [UInt64] = []
        var opened: UInt64?
        for i in 0..<400 {
            sends.append(now())
            tmux.keys(i % 2 == 0 ? "Down" : "Up")
            Thread.sleep(forTimeInterval: 0.02)
            if i % 10 == 9, tmux.screen.contains("opened ") { opened = now(); break }
        }
        tmux.keys("C-c")
        Thread.sleep(forTimeInterval: 0.5)
        let lat = latencies(sends: sends, trace: trace).map(\.total).sorted()
        let openMs = opened.map { Double($0 - opening) / 1e6 } ?? .nan
        print(String(format: "tui: opening the %d-hour pack from the picker (cold cache) took %.0f ms; %d keys meanwhile: p50 %.1f ms, p99 %.1f ms, max %.1f ms key → painted",
                     videos, openMs, lat.count, percentile(lat, 0.5), percentile(lat, 0.99), lat.last ?? .nan))
    }
}
