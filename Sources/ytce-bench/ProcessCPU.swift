import Foundation
import TestHarness

/// CPU time of another process (user + system, from /proc/PID/stat), to tell what a key costs the app from how
/// long it waited for a core on a shared machine. Linux only; nil elsewhere.
struct ProcessCPU {
    let pid: Int32

    /// The ytce process a tmux session runs (the child of the pane's shell).
    init?(tmux: TmuxSession) {
        guard let shell = Int32(tmux.format("pane_pid")),
              let children = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8),
              let child = children.split(separator: " ").compactMap({ Int32($0) }).first else { return nil }
        pid = child
    }

    /// Seconds of CPU used so far.
    var seconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After the command's name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
