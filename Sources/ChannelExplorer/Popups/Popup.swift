import TUI

/// What covers the screen for a moment: help, messages and documents (scrollable text), the command palette, a
/// one-line prompt, the quit question. A popup takes every key while it is open.
public enum Popup: Sendable {
    case text(TextPopup)
    case palette(PalettePopup)
    case prompt(PromptPopup)
    case quit(QuitPopup)

    mutating func handleKey(_ key: Key, _ call: inout PopupCall) {
        switch self {
        case .text(var popup): popup.handleKey(key, &call); self = .text(popup)
        case .palette(var popup): popup.handleKey(key, &call); self = .palette(popup)
        case .prompt(var popup): popup.handleKey(key, &call); self = .prompt(popup)
        case .quit(var popup): popup.handleKey(key, &call); self = .quit(popup)
        }
    }

    /// The screen changed size (or the popup just opened): text is wrapped again.
    mutating func layout(_ context: PopupContext) {
        if case .text(var popup) = self {
            popup.layout(context)
            self = .text(popup)
        }
    }

    func view(_ context: PopupContext, into buffer: inout CellBuffer) {
        switch self {
        case .text(let popup): popup.view(context, into: &buffer)
        case .palette(let popup): popup.view(context, into: &buffer)
        case .prompt(let popup): popup.view(context, into: &buffer)
        case .quit(let popup): popup.view(context, into: &buffer)
        }
    }

}

/// What a popup reads.
public struct PopupContext {
    public var theme: Theme
    /// The whole screen.
    public var screen: Rect
}

/// A key handed to a popup: what it asks of the app.
public struct PopupCall {
    public let context: PopupContext
    public let key: Key
    public internal(set) var requests: [AppRequest] = []
    public mutating func request(_ request: AppRequest) { requests.append(request) }
    public mutating func close() { requests.append(.closePopup) }
}

/// The frame every popup is drawn in: a box with a title on the left and a hint on the right.
enum PopupFrame {
    static func draw(title: String, hint: String?, _ box: Rect, _ theme: Theme, _ buffer: inout CellBuffer) -> Rect {
        Overlay.frame(into: &buffer, rect: box, title: title, theme: theme, rightTitle: hint)
    }
}
