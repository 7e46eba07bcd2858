import Foundation
import PackKit

/// `ytce-bench --ask PACK QUESTIONS.json [--kind KIND] [--model-dir DIR]`: a whole `ytce pack ask` per question of
/// a question file (those of one kind, e.g. `paraphrase`), on a warm cache (one ask first unpacks the pack and
/// builds what the cache keeps). Prints the median and slowest wall time and the peak RSS. Issue 14's target:
/// at most 150 ms warm on `py4e.minilm.pack` for paraphrased questions.
///
/// With `--session [--rounds N]`: what `--session NAME` adds to a warm ask (issue 15: at most 20 ms). Each question
/// is asked twice in a row, once continuing one saved conversation and once alone, the order alternating; the
/// median of the pairs' differences (wall and CPU) is printed, over all pairs and over the last quarter, where the
/// conversation is longest. Paired runs cancel most of what a loaded machine adds to both; CPU time is not
/// lengthened by waiting for a core at all. Conversations go to a scratch data folder.
enum AskBench {
    static func run(_ arguments: [String]) throws {
        var args = arguments[...]
        var kind: String?
        var modelDir: String?
        var session = false
        var rounds = 1
        var positional: [String] = []
        while let arg = args.popFirst() {
            switch arg {
            case "--kind": kind = args.popFirst()
            case "--model-dir": modelDir = args.popFirst()
            case "--session": session = true
            case "--rounds": rounds = max(1, Int(args.popFirst() ?? "") ?? 1)
            default: positional.append(arg)
            }
        }
        guard positional.count == 2 else {
            print("usage: ytce-bench --ask PACK QUESTIONS.json [--kind KIND] [--model-dir DIR] [--session [--rounds N]]")
            exit(2)
        }
        let set = try EvaluationSet.load(URL(fileURLWithPath: positional[1]))
        let questions = set.questions.filter { kind == nil || $0.kind == kind }.map(\.text)
        guard !questions.isEmpty else { print("no \(kind ?? "") questions in \(positional[1])"); exit(1) }
        let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce").path
        let cache = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench-ask-\(getpid())")
        defer { try? FileManager.default.removeItem(at: cache) }
        var base = ["pack", "ask", "--pack", positional[0], "--cache-dir", cache.path]
        if let modelDir { base += ["--model-dir", modelDir] }
        _ = try Bench.runChild(ytce, base + ["--question", questions[0]], discardOutput: true)   // warm the cache
        if session {
            try sessionCost(ytce, base: base, questions: Array(repeating: questions, count: rounds).flatMap { $0 }, pack: positional[0])
            return
        }
        var times: [Double] = []
        var peak = 0
        for question in questions {
            let (seconds, rss, status) = try Bench.runChild(ytce, base + ["--question", question], discardOutput: true)
            guard status == 0 else { print("ask failed (status \(status)): \(question)"); exit(1) }
            times.append(seconds)
            peak = max(peak, rss)
        }
        times.sort()
        print(String(format: "pack ask (whole process, warm) on %@, %d %@ questions: median %.0f ms, slowest %.0f ms, peak RSS %.0f MB (target ≤ 150 ms); load average %@",
                     (positional[0] as NSString).lastPathComponent, times.count, kind ?? "", 1000 * times[times.count / 2],
                     1000 * (times.last ?? 0), Double(peak) / 1024, MiniLMBench.loadAverage()))
    }

    /// The pairs: with the session and without, alternating which goes first.
    static func sessionCost(_ ytce: String, base: [String], questions: [String], pack: String) throws {
        let data = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench-session-\(getpid())")
        defer { try? FileManager.default.removeItem(at: data) }
        setenv("YTCE_DATA_DIR", data.path, 1)   // the children keep their conversations here, not in the user's
        var wall: [Double] = []
        var cpu: [Double] = []
        var withSession: [Double] = []
        var alone: [Double] = []
        for (i, question) in questions.enumerated() {
            func ask(_ extra: [String]) throws -> Bench.ChildRun {
                let run = try Bench.measureRun(ytce, base + ["--question", question] + extra, discardOutput: true)
                guard run.status == 0 else { throw Bench.ChildProblem(description: "ask failed (status \(run.status)): \(question)") }
                return run
            }
            let a: Bench.ChildRun
            let b: Bench.ChildRun
            if i % 2 == 0 {
                a = try ask(["--session", "bench"]); b = try ask([])
            } else {
                b = try ask([]); a = try ask(["--session", "bench"])
            }
            wall.append(a.seconds - b.seconds)
            cpu.append(a.cpuSeconds - b.cpuSeconds)
            withSession.append(a.seconds)
            alone.append(b.seconds)
        }
        func median(_ values: some Collection<Double>) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
        let last = questions.count - questions.count / 4
        print(String(format: "pack ask --session on %@, %d pairs (the conversation grows to %d turns): added wall median %+.1f ms "
                     + "(last quarter %+.1f ms), added CPU median %+.1f ms (last quarter %+.1f ms); medians with %.0f ms, alone %.0f ms "
                     + "(target: at most +20 ms); load average %@",
                     (pack as NSString).lastPathComponent, questions.count, questions.count,
                     1000 * median(wall), 1000 * median(wall[last...]), 1000 * median(cpu), 1000 * median(cpu[last...]),
                     1000 * median(withSession), 1000 * median(alone), MiniLMBench.loadAverage()))
    }
}
