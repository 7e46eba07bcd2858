import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tmux server of its own (a private socket) holding one session: a real terminal that tests and benchmarks
/// drive with keystrokes and read back as text.
public final class TmuxSession {
    public let socket: String
    public let session = "t"
    private let scratch: URL

    /// Nil when tmux is not installed.
    public init?(scratch: URL) {
        guard Self.tmuxPath != nil else { return nil }
        self.socket = "ytce-\(getpid())-\(UUID().uuidString.prefix(8))"
        self.scratch = scratch
    }

    public static var tmuxPath: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/tmux"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs tmux with `arguments` and returns what it printed. posix_spawn + waitpid, output through a file:
    /// the first command starts the tmux server, which would inherit a pipe and hold it open for ever.
    @discardableResult
    public func run(_ arguments: [String]) -> String {
        let output = scratch.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
        defer { unlink(output) }
        let argv = [Self.tmuxPath ?? "/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    /// Starts the session running `command` (through the shell) in a `width`×`height` terminal.
    public func start(_ command: String, width: Int, height: Int) {
        run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
    }

    public var screen: String { run(["capture-pane", "-p", "-t", session]) }

    /// Key names as tmux knows them (`Enter`, `M-2`, `C-c`, `Down`).
    public func keys(_ keys: String...) { run(["send-keys", "-t", session] + keys) }

    /// Literal text.
    public func type(_ text: String) { run(["send-keys", "-t", session, "-l", text]) }

    public func resize(width: Int, height: Int) { run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"]) }

    /// tmux's `#{…}` format for the pane, e.g. `alternate_on`.
    public func format(_ name: String) -> String {
        run(["display", "-p", "-t", session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the screen satisfies `predicate`; returns whether it did and the last screen.
    public func waitFor(timeout: Double, _ predicate: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen
            if predicate(last) {
                // A capture can catch the terminal mid-frame (a chart's first bar drawn, the others not yet): the screen
                // returned is one that held still for a capture interval, or the latest after half a second (a spinner).
                let settleBy = min(deadline, Date().addingTimeInterval(0.5))
                var settled = last
                while Date() < settleBy {
                    Thread.sleep(forTimeInterval: 0.05)
                    let next = screen
                    if next == settled { break }
                    settled = next
                }
                if predicate(settled) { return (true, settled) }
                last = settled
                continue
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (false, last)
    }

    public func kill() { run(["kill-server"]) }
}
