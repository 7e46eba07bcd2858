import Foundation
import JobKit
import PackKit
import XCTest

final class RunPodOutputTests: XCTestCase {
    private func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do {
            return try JSONValue.parse(Data(text.utf8))
        } catch {
            XCTFail("bad test JSON: \(error.reason)", file: file, line: line)
            return .null
        }
    }

    private func text(_ output: String) -> String? { RunPodOutput.text(from: json(output)) }
    private func error(_ value: String) -> String? { RunPodOutput.errorMessage(from: json(value)) }

    // MARK: output shapes

    func testStringOutput() {
        XCTAssertEqual(text(#""A summary.\nWith two lines.""#), "A summary.\nWith two lines.")
        XCTAssertEqual(text(#""""#), "")
    }

    func testTextObject() {
        XCTAssertEqual(text(#"{"text": "the summary"}"#), "the summary")
        XCTAssertEqual(text(#"{"text": ["the ", "summary"]}"#), "the summary")
    }

    func testListOfGenerations() {
        XCTAssertEqual(text(#"[{"text": "first part, "}, {"text": "second part"}]"#), "first part, second part")
        XCTAssertEqual(text(#"["streamed ", "pieces"]"#), "streamed pieces")
    }

    func testWorkerVLLMClassicJoinsEveryBatchAndChoice() {
        let output = """
            [{"choices": [{"tokens": ["Hello", ","]}, {"tokens": [" world"]}], "usage": {"input": 12, "output": 3}},
             {"choices": [{"tokens": ["!", " Bye."]}], "usage": {"input": 12, "output": 5}}]
            """
        XCTAssertEqual(text(output), "Hello, world! Bye.")
        XCTAssertEqual(text(#"{"choices": [{"tokens": ["just ", "one"]}], "usage": {"input": 1, "output": 2}}"#), "just one")
    }

    func testOpenAIShapes() {
        let chat = #"{"id": "cmpl-1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "chat answer"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 9}}"#
        XCTAssertEqual(text(chat), "chat answer")
        XCTAssertEqual(text("[\(chat)]"), "chat answer")
        let completion = #"{"object": "text_completion", "choices": [{"index": 0, "text": "completion answer"}]}"#
        XCTAssertEqual(text(completion), "completion answer")
        XCTAssertEqual(text("[\(completion)]"), "completion answer")
        let chunks = #"[{"choices": [{"delta": {"role": "assistant"}}]}, {"choices": [{"delta": {"content": "str"}}]}, {"choices": [{"delta": {"content": "eamed"}, "finish_reason": "stop"}]}]"#
        XCTAssertEqual(text(chunks), "streamed")
    }

    func testAnythingElseIsTheJSONItself() {
        XCTAssertEqual(text(#"{"summary": "x", "n": 2}"#), #"{"n":2,"summary":"x"}"#)
        XCTAssertEqual(text("42"), "42")
        XCTAssertEqual(text("[]"), "[]")
        XCTAssertEqual(text(#"[{"text": "a"}, 3]"#), #"[{"text":"a"},3]"#)
        XCTAssertEqual(text(#"{"choices": [{"message": {"content": null, "tool_calls": []}}]}"#),
                       #"{"choices":[{"message":{"content":null,"tool_calls":[]}}]}"#)
    }

    func testNoOutput() {
        XCTAssertNil(RunPodOutput.text(from: nil))
        XCTAssertNil(RunPodOutput.text(from: .null))
    }

    // MARK: errors

    func testPlainErrorString() {
        XCTAssertEqual(error(#""CUDA out of memory""#), "CUDA out of memory")
        XCTAssertEqual(error(#""first line\n   second\tline  ""#), "first line second line")
    }

    func testTracebackTextKeepsTheException() {
        let traceback = #""Traceback (most recent call last):\n  File \"handler.py\", line 10, in handler\n    run()\nRuntimeError: model failed to load\n""#
        XCTAssertEqual(error(traceback), "RuntimeError: model failed to load")
    }

    func testJSONEncodedSDKError() {
        let inner = #"{"error_type": "<class 'torch.OutOfMemoryError'>", "error_message": "CUDA out of memory. Tried to allocate 2.00 GiB", "error_traceback": "Traceback (most recent call last):\n  File \"/handler.py\", line 3, in <module>\ntorch.OutOfMemoryError: CUDA out of memory\n", "hostname": "abc123", "worker_id": "abc123", "runpod_version": "1.7.9"}"#
        let message = RunPodOutput.errorMessage(from: .string(inner))
        XCTAssertEqual(message, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
        XCTAssertFalse(message?.contains("Traceback") ?? true)
        // The same object sent as an object rather than a string.
        XCTAssertEqual(RunPodOutput.errorMessage(from: json(inner)), message)
    }

    func testPartialErrorObjects() {
        XCTAssertEqual(error(#"{"error_type": "ValueError", "error_message": "prompt too long"}"#), "ValueError: prompt too long")
        XCTAssertEqual(error(#"{"error_message": "only a message\nover two lines"}"#), "only a message over two lines")
        XCTAssertEqual(error(#"{"error_type": "<class 'KeyError'>", "error_message": ""}"#), "KeyError")
        XCTAssertEqual(error(#"{"error": "nested message"}"#), "nested message")
        XCTAssertEqual(error(#"{"code": 7, "error_traceback": "Traceback (most recent call last):\n..."}"#), #"{"code":7}"#)
        XCTAssertEqual(error(#"{"error_type": "ValueError", "error_message": "ValueError: already prefixed"}"#),
                       "ValueError: already prefixed")
    }

    func testLongErrorsAreCut() {
        let long = String(repeating: "x", count: 2000)
        let message = RunPodOutput.errorMessage(from: .string(long))
        XCTAssertEqual(message?.count, RunPodOutput.maxErrorLength)
        XCTAssertEqual(message?.last, "…")
    }

    func testNoError() {
        XCTAssertNil(RunPodOutput.errorMessage(from: nil))
        XCTAssertNil(RunPodOutput.errorMessage(from: .null))
        XCTAssertNil(RunPodOutput.errorMessage(from: .string("  \n ")))
    }

    // MARK: statuses

    func testStatusParsing() {
        for status in RunPodStatus.allCases {
            XCTAssertEqual(RunPodStatus(apiValue: status.rawValue), status)
        }
        XCTAssertEqual(RunPodStatus(apiValue: "RUNNING"), .inProgress)
        XCTAssertEqual(RunPodStatus(apiValue: " in_progress "), .inProgress)
        XCTAssertEqual(RunPodStatus(apiValue: "CANCELED"), .cancelled)
        XCTAssertNil(RunPodStatus(apiValue: "PAUSED"))
        XCTAssertNil(RunPodStatus(apiValue: ""))
        XCTAssertEqual(RunPodStatus.allCases.filter(\.isFinished), [.completed, .failed, .cancelled, .timedOut])
        XCTAssertEqual(RunPodStatus.allCases.filter(\.isRetryable), [.failed, .timedOut])
    }
}
