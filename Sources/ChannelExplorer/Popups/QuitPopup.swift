import TUI

/// Asked before quitting while a job submission is being sent (quitting then could leave it unknown).
public struct QuitPopup: Sendable {
    static let bindings: [Binding<QuitPopup, PopupCall>] = [
        Binding([.character("y"), .character("Y")], "quit anyway", hint: "quits") { _, call in call.request(.quit) },
        Binding([.character("n"), .escape], "stay (so does any other key)", hint: "stays") { _, call in call.close() },
    ]

    mutating func handleKey(_ key: Key, _ call: inout PopupCall) {
        guard let binding = Self.bindings.binding(for: key, in: self) else { call.close(); return }
        binding.action(&self, &call)
    }

    func view(_ context: PopupContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let box = Overlay.centered(width: min(context.screen.width - 4, 60), height: 6, in: context.screen)
        let inner = PopupFrame.draw(title: "Quit?", hint: nil, box, theme, &buffer)
        buffer.draw(StyledLine("A job submission is being sent; quitting now may leave it unknown.", style: theme[.warning].over(theme[.overlay]))
            .wrapped(width: inner.width)
            + [StyledLine("Quit anyway? " + Self.bindings.map(\.help).hintLine, style: theme[.text].over(theme[.overlay]).with(bold: true))],
            in: inner)
    }
}
