import Foundation
import JobKit
import PackKit
import TUI

/// Everything the explorer shows. Only `update` changes it; background work reports back with messages.
public struct ExplorerModel: Sendable {
    public var width = 80
    public var height = 24
    public var theme: Theme
    public var focus: Pane = .ask
    /// The pack picker covers the main screen until a pack is open (and again on Ctrl-O or `:open`).
    public var showPicker = true
    public var overlay: Popup?
    public var picker = PickerState()
    public var session: PackSession?
    public var ask = AskState()
    public var citations = CitationState()
    public var transcript = TranscriptState()
    public var library = LibraryState()
    public var jobs = JobsState()
    public var status = StatusState()
    /// Frames drawn so far; drives spinners.
    public var tickCount = 0
    public var quitting = false
    /// Why summarisation jobs cannot be sent (no endpoint, no key, no store), if they cannot.
    public var jobsProblem: String?

    public init(theme: Theme) { self.theme = theme }

    /// The answer the citation browser shows: the one picked in the conversation, else the newest.
    var currentAnswer: AskEntry? {
        if let picked = citations.entryID, let entry = ask.entries.first(where: { $0.id == picked }) { return entry }
        return ask.entries.last(where: { $0.outcome != nil })
    }
}

public enum Popup: Equatable, Sendable {
    case help
    case palette(TextField)
    /// A one-line prompt whose answer goes to `action` (e.g. the path of a transcript to submit).
    case prompt(title: String, field: TextField, action: PromptAction)
    case confirmQuit
    /// A scrollable text (a job's summary, a deep link).
    case document(title: String, text: String, scroll: Int)
}

public enum PromptAction: Equatable, Sendable {
    case submitFile
    case openPack
    case searchTranscript
}

public struct PickerEntry: Sendable, Equatable {
    public var path: String
    public var preview: PackPreview?
    public var error: String?
    /// Where the pack was found: sample, data dir, recent, command line, typed.
    public var origin: String
}

public struct PickerState: Sendable {
    public var entries: [PickerEntry] = []
    public var filter = TextField()
    public var selection = 0
    /// The pack being opened, and when the open started (for the progress line).
    public var opening: (path: String, since: Double)?
    public var loading = true

    public var visible: [PickerEntry] {
        let words = filter.value.lowercased().split(separator: " ")
        guard !words.isEmpty else { return entries }
        return entries.filter { entry in
            let hay = "\(entry.preview?.channelTitle ?? "") \(entry.path)".lowercased()
            return words.allSatisfy { hay.contains($0) }
        }
    }
}

public struct AskEntry: Equatable, Sendable {
    public enum State: Equatable, Sendable { case running, done, cancelled, failed(String) }
    public var id: Int
    public var question: String
    /// The answer so far (streamed) and, when done, the checked text.
    public var text = ""
    public var outcome: AskOutcome?
    /// The question's content words, highlighted in the citation browser's snippets (worked out once, not per frame).
    public var highlightTerms: [String] = []
    public var state: State = .running
    public var startedAt: Double

    public static func == (a: AskEntry, b: AskEntry) -> Bool { a.id == b.id && a.text == b.text && a.state == b.state }
}

public struct AskState: Sendable {
    public var entries: [AskEntry] = []
    public var input = TextField()
    public var history = QuestionHistory()
    public var historyPath: String?
    /// True while the input line has the keyboard; Esc gives it to the conversation (scrolling).
    public var editing = true
    /// Rows scrolled up from the bottom of the conversation.
    public var scrollFromBottom = 0
    public var nextID = 1
    var running: AskEntry? { entries.last(where: { $0.state == .running }) }
}

public struct CitationState: Sendable {
    /// The answer whose sources are shown (nil: the newest).
    public var entryID: Int?
    public var selection = 0
}

public struct TranscriptState: Sendable {
    public var transcript: VideoTranscript?
    public var loading = false
    public var error: String?
    /// Segments to highlight (the cited ones).
    public var highlighted: Set<Int64> = []
    /// The row (see `TranscriptRows`) at the top of the pane and the row under the cursor.
    public var top = 0
    public var cursor = 0
    public var search = ""
    public var matches: [Int] = []
}

public struct LibraryState: Sendable {
    public var videos: [VideoListing] = []
    public var loading = false
    public var error: String?
    public var selection = 0
}

public struct JobsState: Sendable {
    public var jobs: [Job] = []
    public var selection = 0
    public var health: RunPodHealth?
    public var healthError: String?
    /// States seen at the last refresh, to notice jobs that finished.
    public var lastStates: [Int64: JobState] = [:]
    /// Submissions being sent right now (quitting asks first).
    public var submitting = 0
    public var loaded = false
}

public struct StatusState: Sendable {
    public var notice: String?
    public var error: String?
    public var noticeAt = 0.0
}
