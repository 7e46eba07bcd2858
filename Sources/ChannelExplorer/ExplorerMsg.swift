import JobKit
import PackKit
import TUI

/// Everything that changes the explorer's state: terminal input, timer ticks, and the results of background work.
public enum ExplorerMsg: Sendable {
    case input(InputEvent)
    case tick
    // Packs
    case previewsLoaded([PickerEntry])
    case packOpened(path: String, Result<PackSession, ExplorerError>)
    // Questions
    case answerDelta(id: Int, String)
    case answerFinished(id: Int, Result<AskOutcome, ExplorerError>)
    // Transcript and library
    case transcriptLoaded(Result<VideoTranscript, ExplorerError>, focusSegments: [Int64], jumpMs: Int?)
    case videosLoaded(Result<[VideoListing], ExplorerError>)
    // Jobs
    case jobsLoaded([Job])
    case healthLoaded(Result<RunPodHealth, ExplorerError>)
    /// `submission`: the end of a submission counted in `JobsState.submitting`.
    case jobActionFinished(String, failed: Bool, submission: Bool = false)
    case summaryLoaded(jobID: Int64, Result<String, ExplorerError>)
    // Anything else worth a line in the status bar
    case notice(String)
    case failure(String)
}

/// A one-line problem from background work, shown in the status bar or in place.
public struct ExplorerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
    public init(_ error: any Error) { self.description = String(describing: error) }
}
