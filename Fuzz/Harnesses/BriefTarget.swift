import Foundation
import PackKit

/// A pack's brief (`briefs/CHANNEL.json` in the state folder, written by the explorer, which anyone may edit or
/// replace): read as the Brief pane reads it on opening a pack, then exported as `x` exports it.
enum BriefTarget {
    static let brief = FuzzTarget(
        name: "brief",
        summary: "Brief(json:file:) and Brief.load; problems name the file, pins read have times in range, the JSON written reads back the same, Markdown lists every pin",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        let file = "fuzz-brief.json"
        let brief: Brief
        do throws(Brief.Problem) { brief = try Brief(json: Data(input), file: file) } catch {
            return require(error.description.hasPrefix(file + ": ") && !error.description.contains("\n"),
                           "a brief problem that does not name the file on one line: \(error)")
        }
        for pin in brief.pins {
            require(pin.startMs >= 0 && pin.startMs <= pin.endMs, "a pin read with times \(pin.startMs)-\(pin.endMs)")
            require(pin.link.hasPrefix("https://youtu.be/"), "a pin's link \(pin.link)")
        }
        // What the explorer saves reads back as the same brief (the file it keeps after every change).
        let again: Brief
        do throws(Brief.Problem) { again = try Brief(json: Data(JSONValue.serialize(brief.json).utf8), file: file) } catch {
            return require(false, "a brief's own JSON does not read back: \(error)")
        }
        require(again == brief, "a brief changed on writing and reading back")
        let markdown = brief.markdown(title: "Brief")
        require(brief.pins.allSatisfy { markdown.contains($0.link) }, "a pin's link missing from the Markdown export")
        // As the Brief pane opens it: from the file.
        let path = ScratchFolder.write(input, as: "brief.json")
        do throws(Brief.Problem) {
            let loaded = try Brief.load(from: path)
            require(loaded == brief, "Brief.load read another brief than Brief(json:)")
        } catch {
            require(false, "Brief.load refused what Brief(json:) read: \(error)")
        }
    }
}
