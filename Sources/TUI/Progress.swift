/// A horizontal progress bar with an optional label on its right ("42%").
public struct ProgressBar: Sendable {
    /// 0...1; nil for an indeterminate bar (a moving block driven by `tick`).
    public var fraction: Double?
    public var label: String?
    public var filledStyle: Style
    public var trackStyle: Style
    public var tick: Int

    public init(fraction: Double?, label: String? = nil, filledStyle: Style = Style(reverse: true),
                trackStyle: Style = .plain, tick: Int = 0) {
        self.fraction = fraction
        self.label = label
        self.filledStyle = filledStyle
        self.trackStyle = trackStyle
        self.tick = tick
    }

    public init(fraction: Double?, label: String? = nil, theme: Theme, tick: Int = 0) {
        self.init(fraction: fraction, label: label, filledStyle: theme[.progress], trackStyle: theme[.progressTrack], tick: tick)
    }

    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard area.width > 0, area.height > 0 else { return }
        let text = label ?? fraction.map { "\(Int(($0 * 100).rounded()))%" }
        let labelWidth = text.map { DisplayWidth.of($0) + 1 } ?? 0
        let barWidth = max(0, area.width - labelWidth)
        if barWidth > 0 {
            if let f = fraction {
                // Eighth blocks give a smooth edge.
                let eighths = Int((min(max(f, 0), 1) * Double(barWidth * 8)).rounded())
                for i in 0..<barWidth {
                    let cellEighths = min(8, max(0, eighths - i * 8))
                    let ch: Character = cellEighths == 8 ? "█" : cellEighths == 0 ? "─" : ProgressBar.partial[cellEighths]
                    buffer.put(ch, x: area.x + i, y: area.y, style: cellEighths > 0 ? filledStyle : trackStyle)
                }
            } else {
                let block = max(1, barWidth / 5)
                let span = max(1, barWidth - block)
                // Bounces left and right.
                let phase = tick % (2 * span)
                let start = phase < span ? phase : 2 * span - phase
                for i in 0..<barWidth {
                    let on = i >= start && i < start + block
                    buffer.put(on ? "█" : "─", x: area.x + i, y: area.y, style: on ? filledStyle : trackStyle)
                }
            }
        }
        if let text, labelWidth > 0 {
            buffer.put(text, x: area.x + barWidth + (barWidth > 0 ? 1 : 0), y: area.y, style: trackStyle,
                       maxWidth: area.maxX - area.x - barWidth)
        }
    }

    static let partial: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
}

/// Spinner frames for work in progress; advance `tick` with a timer (`Effect.every`).
public enum Spinner {
    public static let braille: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    public static let ascii: [Character] = ["|", "/", "-", "\\"]

    public static func frame(_ tick: Int, frames: [Character] = braille) -> Character {
        guard !frames.isEmpty else { return " " }
        return frames[((tick % frames.count) + frames.count) % frames.count]
    }

    /// The suggested interval between frames.
    public static let interval: Double = 0.1
}
