import TUI

/// A one-line question whose answer completes a palette command (the path of a transcript to submit, words to
/// search): `Enter` runs `command ANSWER`.
public struct PromptPopup: Sendable {
    public let title: String
    /// The palette command the answer is given to.
    public let command: String
    public private(set) var field: TextField

    public init(title: String, command: String, value: String = "") {
        self.title = title
        self.command = command
        field = TextField(value)
    }

    static let bindings: [Binding<PromptPopup, PopupCall>] = [
        Binding([.enter], "answer", hint: "answers") { p, call in
            call.close()
            let value = p.field.value.trimmingCharacters(in: .whitespaces)
            if !value.isEmpty { call.request(.runCommand("\(p.command) \(value)")) }
        },
        Binding([.escape], "close without answering", hint: "closes") { _, call in call.close() },
    ]

    /// The hints line, from the bindings.
    static let hints = bindings.map(\.help).hintLine

    mutating func handleKey(_ key: Key, _ call: inout PopupCall) {
        if let binding = Self.bindings.binding(for: key, in: self) { binding.action(&self, &call) } else { field.handle(key) }
    }

    func view(_ context: PopupContext, into buffer: inout CellBuffer) {
        let box = Overlay.centered(width: min(context.screen.width - 4, 70), height: 3, in: context.screen)
        let inner = PopupFrame.draw(title: title, hint: Self.hints, box, context.theme, &buffer)
        field.render(into: &buffer, area: inner, style: context.theme[.input], focused: true)
    }
}
