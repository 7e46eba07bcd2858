import Foundation
@testable import JobKit
import PackKit

/// RunPod's answers to `/status`, `/cancel`, `/health` and the worker outputs and errors inside them.
enum RunPodTarget {
    static let runpod = FuzzTarget(
        name: "runpod",
        summary: "RunPodReply (status, job state, health) and RunPodOutput on a JSON answer; errors come out as one short line",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        guard let json = try? JSONValue.parse(Data(input)) else { return }
        _ = try? RunPodReply.status(json)
        if let state = try? RunPodReply.jobState(json, id: "job-1") {
            if let error = state.error { checkOneLine(error) }
            if let ms = state.executionTimeMs { require(ms >= 0, "negative execution time \(ms)") }
            if let ms = state.delayTimeMs { require(ms >= 0, "negative delay time \(ms)") }
        }
        _ = try? RunPodReply.health(json)
        // A worker's output and error may be any JSON: the whole answer stands in for them too.
        if json != .null { require(RunPodOutput.text(from: json) != nil, "no text for a non-null output") }
        if let message = RunPodOutput.errorMessage(from: json) { checkOneLine(message) }
    }

    private static func checkOneLine(_ message: String) {
        require(!message.isEmpty, "an empty error message")
        require(!message.contains(where: \.isNewline), "an error message of several lines: \(message.debugDescription)")
        require(message.count <= RunPodOutput.maxErrorLength, "an error message of \(message.count) characters")
    }
}
