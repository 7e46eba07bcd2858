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
    /// The recent notices and errors, newest first, in full.
    case messages(scroll: Int)
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

/// A line for the status bar: a notice (something done) or an error.
public struct StatusMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case notice, error }
    public var kind: Kind
    public var text: String
    /// When it was posted (seconds since 1970).
    public var at: Double
}

/// The status bar's message and the recent ones. The newest message is shown, whatever it is (an error no longer
/// hides a later search result or finished job); it goes after a few seconds, and an error also on the next key or
/// click. Every message stays readable in the messages popup.
public struct StatusState: Sendable {
    /// What the status bar shows now.
    public private(set) var current: StatusMessage?
    /// The recent messages, oldest first.
    public private(set) var log: [StatusMessage] = []
    public static let logLimit = 100
    /// How long a message stays in the status bar.
    public static let noticeSeconds = 8.0
    public static let errorSeconds = 10.0

    public init() {}

    /// The error on show, if the status bar shows one.
    public var error: String? { current?.kind == .error ? current?.text : nil }
    /// The notice on show, if the status bar shows one.
    public var notice: String? { current?.kind == .notice ? current?.text : nil }

    public mutating func post(_ kind: StatusMessage.Kind, _ text: String, at now: Double) {
        let message = StatusMessage(kind: kind, text: text, at: now)
        current = message
        log.append(message)
        if log.count > Self.logLimit { log.removeFirst(log.count - Self.logLimit) }
    }

    /// Drops the message on show once its time is up.
    public mutating func expire(now: Double) {
        guard let current else { return }
        if now - current.at >= (current.kind == .error ? Self.errorSeconds : Self.noticeSeconds) { self.current = nil }
    }

    /// The user acted (a key, a click): an error on show has been seen.
    public mutating func dismissError() {
        if current?.kind == .error { current = nil }
    }
}
