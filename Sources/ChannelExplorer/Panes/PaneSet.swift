import TUI

/// The panes of the main screen, in tab order, each with its own state. Typed access by pane type
/// (`panes[TranscriptPane.self]`) for the app's wiring and tests; access by id for routing.
public struct PaneSet: Sendable {
    private var panes: [any Pane]
    private let index: [PaneID: Int]
    /// The panes' ids in tab order.
    public let ids: [PaneID]

    init(_ types: [any Pane.Type]) {
        panes = types.map { $0.init() }
        ids = types.map { $0.id }
        var index: [PaneID: Int] = [:]
        for (i, type) in types.enumerated() { index[type.id] = i }
        self.index = index
    }

    public func contains(_ id: PaneID) -> Bool { index[id] != nil }

    public subscript(id: PaneID) -> (any Pane)? {
        index[id].map { panes[$0] }
    }

    /// Runs `body` on the pane with `id` in place.
    mutating func with<R>(_ id: PaneID, _ body: (inout any Pane) -> R) -> R? {
        guard let i = index[id] else { return nil }
        return body(&panes[i])
    }

    /// Every pane, in place, in tab order.
    mutating func forEach(_ body: (inout any Pane) -> Void) {
        for i in panes.indices { body(&panes[i]) }
    }

    public subscript<P: Pane>(_ type: P.Type) -> P {
        get {
            guard let i = index[P.id], let pane = panes[i] as? P else { preconditionFailure("\(P.id) is not in the pane list") }
            return pane
        }
        set {
            guard let i = index[P.id] else { preconditionFailure("\(P.id) is not in the pane list") }
            panes[i] = newValue
        }
        _modify {
            guard let i = index[P.id], var pane = panes[i] as? P else { preconditionFailure("\(P.id) is not in the pane list") }
            // The list lets go of its copy while the pane is changed, so the pane's arrays are not copied on write.
            panes[i] = VacantPane()
            defer { panes[i] = pane }
            yield &pane
        }
    }
}

/// Holds a pane's place while the pane is being changed outside the list.
private struct VacantPane: Pane {
    static let title = ""
    static let bindings: [Binding<VacantPane, PaneCall>] = []
    func view(_ context: PaneContext, into buffer: inout CellBuffer) {}
}
