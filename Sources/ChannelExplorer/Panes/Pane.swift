import Foundation
import JobKit
import PackKit
import TUI

/// Which pane: focus, routing of its messages, its tab. It is the pane's type, so ids cannot collide and compare as
/// cheaply as a pointer (layout and views compare them every frame).
public struct PaneID: Hashable, Sendable, CustomStringConvertible {
    let type: any Pane.Type

    init(_ type: any Pane.Type) { self.type = type }

    public static func == (a: PaneID, b: PaneID) -> Bool { ObjectIdentifier(a.type) == ObjectIdentifier(b.type) }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(type)) }
    public var description: String { type.title }
}

/// A part of the screen as a component (a Bubble Tea model, a lazygit controller): it owns its state, handles its
/// own messages, draws into its frame, and declares its keys with a description each. The app composes panes and
/// routes input and messages to them; adding a pane is its file plus one line in `PaneList`.
///
/// Panes never do I/O in their update or keys: work goes into effects (`call.run`), and what only the app can do
/// (focus, popups, the status line, other panes) into requests (`call.request`).
public protocol Pane: Sendable {
    /// The messages the pane's own effects send back (`PaneSink`).
    associatedtype Msg: Sendable = Never

    /// The tab's and the help's title.
    static var title: String { get }
    /// The pane's keys, in the order help lists them: the one list for handling, help, hints and the palette.
    static var bindings: [Binding<Self, PaneCall>] { get }

    init()

    /// Whether the pane's keys go to a text field now: then single-letter keys that work elsewhere (q, digits, n)
    /// are typed instead, and keys no binding takes go to `edit`.
    var isEditingText: Bool { get }
    /// Whether that text field is empty (`?` and `:` then still open help and the palette).
    var isTextEmpty: Bool { get }
    /// A key no binding took while editing text.
    mutating func edit(_ key: Key, _ call: inout PaneCall)
    /// A message from the pane's own effects.
    mutating func update(_ message: Msg, _ call: inout PaneCall)
    /// Something that happened to the whole app.
    mutating func receive(_ event: AppEvent, _ call: inout PaneCall)
    /// Draws the pane, border included, in `context.frame`.
    func view(_ context: PaneContext, into buffer: inout CellBuffer)
    /// A left click at a cell inside the frame.
    mutating func click(x: Int, y: Int, _ call: inout PaneCall)
    /// The mouse wheel: rows down (positive) or up.
    mutating func scroll(by rows: Int, _ call: inout PaneCall)
    /// `n`/`N`: moves to the next or previous match of the pane's own search and returns true; false when the pane
    /// has no search going (then n/N walk the answer's citations).
    mutating func step(match forward: Bool, _ call: inout PaneCall) -> Bool
    /// A few words for the right of the pane's title besides its hints (e.g. a duration).
    func titleNote(_ context: PaneContext) -> String?
    /// Work the pane runs from the start (e.g. polling RunPod's health).
    static func startEffects(_ services: ExplorerContext) -> [Effect<ExplorerMsg>]
}

extension Pane {
    public static var id: PaneID { PaneID(Self.self) }
    public var isEditingText: Bool { false }
    public var isTextEmpty: Bool { true }
    public mutating func edit(_ key: Key, _ call: inout PaneCall) {}
    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {}
    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {}
    public mutating func scroll(by rows: Int, _ call: inout PaneCall) {}
    public mutating func step(match forward: Bool, _ call: inout PaneCall) -> Bool { false }
    public func titleNote(_ context: PaneContext) -> String? { nil }
    public static func startEffects(_ services: ExplorerContext) -> [Effect<ExplorerMsg>] { [] }

    /// Runs the binding that answers `key`; false when none does.
    mutating func handleKey(_ key: Key, _ call: inout PaneCall) -> Bool {
        guard let binding = Self.bindings.binding(for: key, in: self) else { return false }
        binding.action(&self, &call)
        return true
    }

    /// Runs the palette command `name`; false when the pane has no such command.
    mutating func runCommand(_ name: String, _ call: inout PaneCall) -> Bool {
        guard let binding = Self.bindings.binding(command: name), binding.isActive(self) else { return false }
        binding.action(&self, &call)
        return true
    }

    /// A message sent to this pane, if it is one of its own.
    mutating func deliver(_ payload: any Sendable, _ call: inout PaneCall) {
        if let message = payload as? Msg { update(message, &call) }
    }

    /// The help of the bindings that apply now.
    var activeHelp: [KeyHelp] { Self.bindings.filter { $0.isActive(self) }.map(\.help) }

    /// The hints line of the bindings that apply now.
    var hints: String { activeHelp.hintLine }

    /// Sends the pane's messages from an effect.
    static func sink(_ sink: MessageSink<ExplorerMsg>) -> PaneSink<Msg> { PaneSink(pane: id, sink: sink) }

    /// A task whose messages come back to this pane.
    static func task(_ id: String? = nil, _ work: @escaping @Sendable (PaneSink<Msg>) async -> Void) -> Effect<ExplorerMsg> {
        let pane = Self.id
        return .task(id) { sink in await work(PaneSink(pane: pane, sink: sink)) }
    }
}

extension Pane where Msg == Never {
    public mutating func update(_ message: Never, _ call: inout PaneCall) {}
}

/// Sends a pane's own messages back to it from an effect.
public struct PaneSink<Msg: Sendable>: Sendable {
    let pane: PaneID
    let sink: MessageSink<ExplorerMsg>
    public func send(_ message: Msg) { sink.send(.pane(pane, message)) }
}

/// What a pane reads but does not own, handed to it with every call.
public struct PaneContext {
    public var theme: Theme
    public var session: PackSession?
    public var services: ExplorerContext
    /// The job list the app keeps (the status bar and the library read it too).
    public var jobs: JobsFeed
    /// Seconds since 1970, as of the last tick.
    public var now: Double
    /// Ticks so far: spinners turn with it.
    public var tick: Int
    public var focused: Bool
    /// The pane's frame, border included (where it was last laid out when it is not on screen).
    public var frame: Rect
    /// Whether a popup covers the screen (text fields then hide their cursor).
    public var popupOpen: Bool

    /// The inside of the pane's border.
    public var body: Rect { frame.inset(1) }
}

/// A call into a pane: what it reads, what it asks for, and how it was called.
public struct PaneCall {
    public let context: PaneContext
    /// The key pressed (nil when the palette ran a command).
    public let key: Key?
    /// A palette command's argument ("" from a key).
    public let argument: String
    public internal(set) var effects: [Effect<ExplorerMsg>] = []
    public internal(set) var requests: [AppRequest] = []

    public init(context: PaneContext, key: Key? = nil, argument: String = "") {
        self.context = context
        self.key = key
        self.argument = argument
    }

    public mutating func run(_ effect: Effect<ExplorerMsg>) { effects.append(effect) }
    public mutating func request(_ request: AppRequest) { requests.append(request) }
    public mutating func notify(_ text: String) { requests.append(.notify(text)) }
    public mutating func fail(_ text: String) { requests.append(.fail(text)) }
}

/// What a pane (or a global key) asks of the app: things that touch the focus, popups, the status line, the
/// session or other panes. The app carries them out in order after the call returns.
public enum AppRequest: Sendable {
    case notify(String)
    case fail(String)
    case focus(PaneID)
    /// The next (+1) or previous (-1) pane in tab order.
    case cycleFocus(Int)
    /// The transcript viewer on a video, at the given segments (highlighted) or time.
    case openTranscript(videoID: String, segments: [Int64], jumpMs: Int?)
    /// Searches the transcript shown, in the transcript viewer.
    case searchTranscript(String)
    /// Asks `question` (nil: the last one asked) of the open pack and the pack at `pack`, and shows both answers.
    case compare(pack: String, question: String?)
    /// Copies text to the clipboard (OSC 52), saying so.
    case copy(String)
    /// Limits the conversation's questions to `scope` (checked against the pack's videos) and goes to the question
    /// line: the library's marked videos.
    case scopeQuestions(AskScope)
    /// The same, to the video open in the transcript viewer (`:scope transcript`).
    case scopeToTranscript
    /// Pins a moment to the brief.
    case pin(Brief.Pin)
    /// A new conversation was started (`:new`): the brief starts over with it.
    case conversationStarted
    /// A finished answer, for the panes that show answers.
    case answerFinished(AskEntry)
    /// An earlier answer of the conversation, chosen to browse its citations (the citation browser shows them).
    case browseCitations(AskEntry)
    /// Sends a video of the pack to be summarised (nil: the one in the transcript viewer).
    case submitVideo(String?)
    /// Sends a transcript file to be summarised (nil: ask for its path).
    case submitFile(String?)
    case popup(Popup)
    case closePopup
    case help
    case palette
    case messages
    /// The pack picker over the screen.
    case showPicker
    case hidePicker
    /// Opens a pack. With `orElse`, `path` is what was typed in the picker: it is opened when such a file exists,
    /// else `orElse` is.
    case openPack(String, orElse: String?)
    /// A palette line to run.
    case runCommand(String)
    /// n/N: the focused pane's next or previous match, else the answer's next or previous citation.
    case stepMatch(forward: Bool)
    /// The answer's next (+1) or previous (-1) citation, opened in the transcript viewer.
    case stepCitation(Int)
    /// `:theme NAME` (nil: say which themes there are).
    case setTheme(String?)
    /// `:backend offline|model` ("": say which answers).
    case setBackend(String)
    /// Quits, unless a job submission is being sent (then asks).
    case quit
    /// Quits without asking.
    case quitNow
}

/// What happens to the whole app, told to every pane.
public enum AppEvent: Sendable {
    /// A pack was opened: the pane starts over for it.
    case packOpened(PackSession)
    /// The pane's frame or the theme changed: measured layout (wrapped rows) is redone.
    case layout
    /// The pane got the focus.
    case focused
    /// An answer finished.
    case answerFinished(AskEntry)
}
