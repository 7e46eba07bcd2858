import ArgumentParser
import Foundation
import PackKit

struct PackTimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Count the moments that match a topic per upload month, year or video, as a bar chart.",
        discussion: """
            A moment counts when its chunk windows hold every word of the topic (in double quotes: say the \
            exact phrase), as `pack search` ranks and merges them; windows naming only some of the words are \
            noise and are not counted. A pack without upload dates is charted per video, in the pack's order.
            """
    )

    @OptionGroup var packOptions: PackOptions

    @Argument(help: "The topic: words, or an exact phrase in double quotes.")
    var topic: String

    @Option(help: "What a bar is: month, year or video.")
    var by = "month"

    @Option(help: "The chart's width in columns (default: $COLUMNS, else 80).")
    var width: Int?

    @Flag(help: "Print JSON: {topic, by, notes, total, periods: [{label, video_id?, count, moments: [{video_id, start_ms, end_ms, score}]}]}.")
    var json = false

    func run() async throws {
        guard let grouping = TopicTimeline.Grouping(rawValue: by) else {
            throw fail("--by must be month, year or video (got '\(by)')")
        }
        let parsed: Topic
        do { parsed = try Topic(topic) } catch { throw fail("topic: \(error.description)") }
        let opened = try await packOptions.open()
        let retriever: Retriever
        do { retriever = try Retriever(pack: opened, cache: packOptions.cache(), vectors: false) } catch { throw fail(pack: packOptions.pack, error) }
        let timeline: TopicTimeline
        do { timeline = try retriever.timeline(parsed, by: grouping) } catch { throw fail(pack: packOptions.pack, error) }
        if json {
            print(JSONValue.serialize(Self.json(timeline)))
            return
        }
        let columns = width ?? ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80
        print(timeline.title)
        for line in timeline.chartLines(width: max(20, columns)) { print(line) }
    }

    static func json(_ timeline: TopicTimeline) -> JSONValue {
        .object([
            "topic": .string(timeline.topic.text),
            "by": .string(timeline.grouping.rawValue),
            "notes": .array(timeline.notes.map { .string($0) }),
            "total": .number(Double(timeline.total)),
            "periods": .array(timeline.periods.map { period in
                var object: [String: JSONValue] = [
                    "label": .string(period.label), "count": .number(Double(period.count)),
                    "moments": .array(period.moments.map { moment in
                        .object(["video_id": .string(moment.videoID), "start_ms": .number(Double(moment.startMs)),
                                 "end_ms": .number(Double(moment.endMs)), "score": .number((Double(moment.score) * 1e6).rounded() / 1e6)])
                    }),
                ]
                if let video = period.videoID { object["video_id"] = .string(video) }
                return .object(object)
            }),
        ])
    }
}
