import JobKit
import PackKit
import TUI

/// Everything that changes the explorer's state: terminal input, timer ticks, the panes' own messages, and the
/// results of the app's background work.
public enum ExplorerMsg: Sendable {
    case input(InputEvent)
    /// The clock (seconds since 1970): spinners, elapsed times, "next poll in".
    case tick(now: Double)
    /// A pane's own message, from its effects (see `Pane.task`).
    case pane(PaneID, any Sendable)
    // Packs
    case packOpened(path: String, Result<PackSession, ExplorerError>)
    // Jobs
    case jobsLoaded([Job])
    /// `submission`: the end of a submission counted in `JobsFeed.submitting`.
    case jobActionFinished(String, failed: Bool, submission: Bool = false)
    /// An episode summary went into a pack (a job's delivery, or attached by hand): shown at once if it is the open one.
    case summaryAttached(pack: String, videoID: String, text: String)
    // Settings changed at run time
    case themeLoaded(Result<Theme, ThemeError>, keeping: String)
    case backendChanged(label: String, note: String)
    /// `:compare`'s answers, each pack's under its name.
    case compared(title: String, text: String)
    // The status line
    case statusExpired(serial: Int)
    case notice(String)
    case failure(String)
}

/// A one-line problem from background work, shown in the status bar or in place.
public struct ExplorerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
    public init(_ error: any Error) { self.description = String(describing: error) }
}
