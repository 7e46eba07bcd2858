import Foundation
import HTTPTestServer

/// `ytce-bench --jobs [N] [SECONDS]`: N open jobs (default 500) polled by `ytce jobs wait` for SECONDS (default 60)
/// against a loopback fake RunPod. Prints how far each job's poll intervals stray from the 5 s target and the
/// poller's CPU use (its own process, measured by the kernel).
enum JobsBench {
    static func run(ytce: String, work: URL, jobs count: Int, seconds: Double) throws {
        let fake = try FakeRunPod()
        defer { fake.stop() }
        fake.enqueue(Array(repeating: FakeRunPod.Script.staying(.inProgress), count: count))
        let dir = work.appendingPathComponent("jobs-bench")
        try? FileManager.default.removeItem(at: dir)
        let inputs = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        var files: [String] = []
        for i in 0..<count {
            let path = inputs.appendingPathComponent("t\(i).txt").path
            try Data("transcript \(i)\n".utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        setenv("RUNPOD_ENDPOINT_URL", fake.endpointURL, 1)
        setenv("RUNPOD_API_KEY", fake.apiKey, 1)
        setenv("YTCE_DATA_DIR", dir.appendingPathComponent("data").path, 1)
        let (submitSeconds, _, status) = try Bench.runChild(ytce, ["jobs", "submit", "--max-wait", "2h", "--out-dir", dir.path] + files)
        guard status == 0 else { print("submit failed"); exit(1) }
        print(String(format: "jobs: %d submitted in %.2f s", count, submitSeconds))

        var pid: pid_t = 0
        let words: [String] = [ytce, "jobs", "wait", "--max-wait", "2h"]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, ytce, nil, nil, argv, environ) == 0 else { throw CocoaError(.executableLoad) }
        let started = ContinuousClock.now
        Thread.sleep(forTimeInterval: seconds)
        kill(pid, SIGINT)
        var status2: Int32 = 0
        var usage = rusage()
        wait4(pid, &status2, 0, &usage)
        let wall = StreamBench.milliseconds(ContinuousClock.now - started) / 1000
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6

        var intervals: [Double] = []
        for id in fake.jobIDs {
            let polls = fake.statusPolls(of: id)
            // The first poll follows the submission, whose time the fake does not know: intervals between polls only.
            for (a, b) in zip(polls, polls.dropFirst()) { intervals.append(StreamBench.milliseconds(b - a) / 1000) }
        }
        intervals.sort()
        let within = intervals.filter { abs($0 - 5) <= 0.5 }.count
        print(String(format: "jobs: %d polls of %d jobs in %.0f s; interval p1 %.2f s, median %.2f s, p99 %.2f s, max %.2f s; %.1f%% within 10%% of 5 s",
                     intervals.count + fake.jobIDs.count, count, wall, intervals[intervals.count / 100], intervals[intervals.count / 2],
                     intervals[intervals.count * 99 / 100], intervals.last ?? 0, 100 * Double(within) / Double(max(1, intervals.count))))
        let connections = fake.server.events.filter { $0.kind == .accepted }.count
        print("jobs: \(connections) connections opened for \(fake.requestCount(.status) + fake.requestCount(.run)) requests")
        print(String(format: "jobs: poller CPU %.2f s over %.0f s = %.1f%% of one core (target < 5%%), peak RSS %.0f MB",
                     cpu, wall, 100 * cpu / wall, Double(usage.ru_maxrss) / 1024))
    }
}
