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
    static func run(ytce: String, work: URL, videos: Int) throws {
        let sample = samplePack()
        try frameTimes(sample: sample, work: work)
        guard TmuxSession.tmuxPath != nil else { print("tui: tmux not installed: skipping the terminal parts"); return }
        try keystrokes(ytce: ytce, sample: sample, work: work)
        try openLargePack(ytce: ytce, work: work, videos: videos)
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
        let environment = ["YTCE_DATA_DIR": data.path, "HOME": data.path]
        let context = ExplorerContext(cache: PackCache(directory: data.appendingPathComponent("cache")), config: PackConfig(),
                                      environment: environment, jobs: try JobsService(config: PackConfig(), environment: environment),
                                      jobsProblem: nil, packPaths: [sample], packDirectories: [])
        let program = ChannelExplorer(context: context)
        var model = ExplorerModel(theme: ExplorerTheme.builtinDefault)
        let effects = program.start(&model)
        // The explorer's own loop on an in-memory terminal.
        let driver = Runtime(program: program, model: model, backend: TestBackend(width: 200, height: 60), initialEffects: effects)
        defer { driver.cancelAllTasks() }
        func wait(_ predicate: @escaping (ExplorerModel) -> Bool) {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, !predicate(driver.model) {
                driver.runPending()
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        wait { $0.session != nil }
        for question in ["how fine should I grind for espresso", "what water recipe do you use", "how long should cold brew steep"] {
            driver.type(question)
            driver.press(.enter)
            wait { $0.panes[AskPane.self].entries.last?.state == .done }
        }
        var results: [(String, Double, Double)] = []
        for (name, keys) in [("ask+citations", [Key.alt("1")]), ("transcript", [.alt("2"), .enter]), ("library", [.alt("4")]),
                             ("jobs", [.alt("5")]), ("help overlay", [.alt("3"), .character("?")])] {
            driver.press(keys)
            wait { !$0.panes[TranscriptPane.self].loading && !$0.panes[LibraryPane.self].loading }
            var times: [Double] = []
            var buffer = CellBuffer(width: 200, height: 60)
            for _ in 0..<500 {
                let start = ContinuousClock.now
                buffer = CellBuffer(width: 200, height: 60)
                program.view(driver.model, into: &buffer)
                times.append(StreamBench.milliseconds(ContinuousClock.now - start))
            }
            if keys.last == .character("?") { driver.press(.escape) }
            times.sort()
            results.append((name, percentile(times, 0.5), percentile(times, 0.99)))
        }
        for (name, p50, p99) in results {
            print(String(format: "tui: 200×60 frame, %@: p50 %.2f ms, p99 %.2f ms (target ≤ 2 ms)", name, p50, p99))
        }
    }

    // MARK: keystrokes in a real terminal

    /// The trace's clock (see `RuntimeOptions.tracePath`).
    static func now() -> UInt64 { monotonicNanoseconds() }

    /// Latency of each key sent at `sends` to the first frame painted after input read at or after it.
    static func latencies(sends: [UInt64], trace: String) -> [Double] {
        let frames: [(read: UInt64, painted: UInt64)] = ((try? String(contentsOfFile: trace, encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]) else { return nil }
                return (a, b)
            }
        return sends.compactMap { sent in
            frames.first { $0.read >= sent }.map { Double($0.painted - sent) / 1e6 }
        }
    }

    static func keystrokes(ytce: String, sample: String, work: URL) throws {
        let dir = work.appendingPathComponent("tui-keys")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // An OpenAI-compatible server that streams a long answer (a piece every 20 ms for a minute).
        let llm = try HTTPTestServer()
        defer { llm.stop() }
        llm.route("POST", "/chat/completions") { _ in
            var parts: [(delay: Double, text: String)] = []
            for i in 0..<3000 { parts.append((0.02, #"data: {"choices":[{"delta":{"content":"word\#(i) "}}]}"# + "\n\n")) }
            return .eventStream(parts)
        }
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
        tmux.start("env \(env) \(ytce) --config \(configFile.path) \(sample); sleep 30", width: 160, height: 48)
        guard tmux.waitFor(timeout: 20, { $0.contains("Ask Coffee Lab") }).ok else { print("tui: ytce did not start"); return }
        tmux.type("how fine should I grind for espresso")
        tmux.keys("Enter")
        guard tmux.waitFor(timeout: 20, { $0.contains("word5") }).ok else { print("tui: the answer did not stream"); return }
        Thread.sleep(forTimeInterval: 1.5)
        var sends: [UInt64] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        for i in 0..<150 {
            sends.append(now())
            tmux.type(String(letters[i % letters.count]))
            Thread.sleep(forTimeInterval: 0.03)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let polls = fake.requestCount(.status)
        tmux.keys("C-c")
        Thread.sleep(forTimeInterval: 0.5)
        let lat = latencies(sends: sends, trace: trace).sorted()
        print(String(format: "tui: keystroke → painted (tmux send-keys → ytce frame written), streaming answer + 100 jobs polled each second (%d polls so far): %d keys, p50 %.1f ms, p99 %.1f ms, max %.1f ms (target ≤ 16 ms)",
                     polls, lat.count, percentile(lat, 0.5), percentile(lat, 0.99), lat.last ?? .nan))
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
        let lat = latencies(sends: sends, trace: trace).sorted()
        let openMs = opened.map { Double($0 - opening) / 1e6 } ?? .nan
        print(String(format: "tui: opening the %d-hour pack from the picker (cold cache) took %.0f ms; %d keys meanwhile: p50 %.1f ms, p99 %.1f ms, max %.1f ms key → painted",
                     videos, openMs, lat.count, percentile(lat, 0.5), percentile(lat, 0.99), lat.last ?? .nan))
    }
}
