import Foundation
import PackKit

/// A brief's JSON (a brief file of an earlier version, which anyone may edit or replace; `brief-import` fuzzes its
/// import): read as the import reads it, then exported as the Brief pane's `x` exports it.
enum BriefTarget {
    static let brief = FuzzTarget(
        name: "brief",
        summary: "Brief(json:file:); problems name the file, pins read have times in range, the JSON written reads back the same, Markdown lists every pin",
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
        // The JSON a brief exports reads back as the same brief.
        let again: Brief
        do throws(Brief.Problem) { again = try Brief(json: Data(JSONValue.serialize(brief.json).utf8), file: file) } catch {
            return require(false, "a brief's own JSON does not read back: \(error)")
        }
        require(again == brief, "a brief changed on writing and reading back")
        let markdown = brief.markdown(title: "Brief")
        require(brief.pins.allSatisfy { markdown.contains($0.link) }, "a pin's link missing from the Markdown export")
    }
}
