import Foundation

/// The moments an analyst keeps while exploring a pack (pins, in the order they chose), each with an optional
/// one-line note, exported as Markdown or JSON: quotes, time ranges, `youtu.be/ID?t=S` links, notes, the pack.
///
/// Saved with its conversation (`ConversationStore.pins`, `savePins`). Earlier versions kept a JSON file per pack
/// (`AppPaths.briefs`), read once by `init(json:file:)` when the store imports it.
public struct Brief: Sendable, Equatable {
    public struct Pin: Sendable, Equatable {
        public var videoID: String
        public var title: String
        public var startMs: Int
        public var endMs: Int
        /// What is said there (the moment's transcript).
        public var quote: String
        public var note: String
        /// The channel the moment is from (its pack's title).
        public var pack: String

        public init(videoID: String, title: String, startMs: Int, endMs: Int, quote: String, note: String = "", pack: String) {
            self.videoID = videoID
            self.title = title
            self.startMs = startMs
            self.endMs = endMs
            self.quote = quote
            self.note = note
            self.pack = pack
        }

        /// The pin of a search hit: the passage where `terms` (`MatchSnippet.terms` of the query) are said, up to
        /// `MatchSnippet.passageMs` long, or the whole moment when none is said in it.
        public init(_ hit: SearchHit, pack: String, terms: [String] = []) {
            let passage = MatchSnippet.passage(of: hit, terms: terms)
            guard let first = passage.first, let last = passage.last else {
                self.init(videoID: hit.videoID, title: hit.title, startMs: hit.startMs, endMs: hit.endMs, quote: hit.text, pack: pack)
                return
            }
            self.init(videoID: hit.videoID, title: hit.title, startMs: first.startMs, endMs: max(first.startMs, last.endMs),
                      quote: SearchHit.text(of: passage), pack: pack)
        }

        /// `https://youtu.be/ID?t=S`: the moment on YouTube.
        public var link: String { "https://youtu.be/\(videoID)?t=\(max(0, startMs / 1000))" }
        public var span: String { "\(Citation.timestamp(startMs))-\(Citation.timestamp(endMs))" }
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public var pins: [Pin] = []

    public init(pins: [Pin] = []) { self.pins = pins }

    /// Adds a pin at the end; false (nothing added) when the same moment is pinned already.
    @discardableResult
    public mutating func add(_ pin: Pin) -> Bool {
        guard !pins.contains(where: { $0.videoID == pin.videoID && $0.startMs == pin.startMs && $0.endMs == pin.endMs && $0.pack == pin.pack })
        else { return false }
        pins.append(pin)
        return true
    }

    /// Moves the pin at `index` by `offset` places (within the list); returns where it is now.
    @discardableResult
    public mutating func move(_ index: Int, by offset: Int) -> Int {
        guard pins.indices.contains(index) else { return index }
        let target = min(max(0, index + offset), pins.count - 1)
        let pin = pins.remove(at: index)
        pins.insert(pin, at: target)
        return target
    }

    // MARK: Export

    /// The brief as Markdown: a heading (at `level`), then each pin with its title, time range and link, quote and
    /// note, one level below.
    public func markdown(title: String, level: Int = 1) -> String {
        let heading = String(repeating: "#", count: max(1, level))
        var out = "\(heading) \(title)\n\n"
        if pins.isEmpty { out += "_No pins yet._\n" }
        for (i, pin) in pins.enumerated() {
            out += "\(heading)# \(i + 1). \(pin.title.isEmpty ? pin.videoID : pin.title) (\(pin.span))\n\n"
            out += "[\(pin.link)](\(pin.link)) · \(pin.pack)\n\n"
            let quote = pin.quote.split(whereSeparator: \.isNewline).joined(separator: " ")
            out += "> \(quote)\n\n"
            if !pin.note.isEmpty { out += "Note: \(pin.note)\n\n" }
        }
        return out
    }

    public var json: JSONValue {
        .object(["pins": .array(pins.map { pin in
            .object(["video_id": .string(pin.videoID), "title": .string(pin.title), "start_ms": .number(Double(pin.startMs)),
                     "end_ms": .number(Double(pin.endMs)), "quote": .string(pin.quote), "note": .string(pin.note),
                     "pack": .string(pin.pack), "link": .string(pin.link)])
        })])
    }

    /// Reads the JSON `json` writes; every pin needs its video, times and pack (the file and pin are named).
    public init(json data: Data, file: String) throws(Problem) {
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch { throw Problem(description: "\(file): invalid JSON: \(error.reason)") }
        guard let list = value["pins"]?.arrayValue else { throw Problem(description: "\(file): no \"pins\" list") }
        for (i, item) in list.enumerated() {
            guard let video = item["video_id"]?.stringValue, let start = item["start_ms"]?.intValue, let end = item["end_ms"]?.intValue,
                  start >= 0, end >= start, end <= PackTime.maxMs else {
                throw Problem(description: "\(file): pin \(i + 1) lacks video_id, or its start_ms/end_ms are not times")
            }
            pins.append(Pin(videoID: video, title: item["title"]?.stringValue ?? "", startMs: start, endMs: end,
                            quote: item["quote"]?.stringValue ?? "", note: item["note"]?.stringValue ?? "",
                            pack: item["pack"]?.stringValue ?? ""))
        }
    }

    /// Exports to `path`: JSON when it ends in `.json`, else Markdown; atomically.
    public func export(to path: String, title: String) throws(Problem) {
        let text = path.lowercased().hasSuffix(".json") ? JSONValue.serialize(json) + "\n" : markdown(title: title)
        do { try AtomicFile.write(Array(text.utf8), to: path) } catch { throw Problem(description: error.description) }
    }
}

extension AppPaths {
    /// Where earlier versions kept each pack's brief (`CHANNEL.json`); `ConversationStore.importBriefs` takes them in.
    public var briefs: String { (state as NSString).appendingPathComponent("briefs") }
}
