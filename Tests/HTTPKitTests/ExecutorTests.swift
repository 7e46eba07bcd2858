import HTTPKit
import HTTPTestServer
import XCTest

/// Tasks that prefer a client's executor run on its transfer thread: their requests still complete, run
/// concurrently, reuse connections and stop at once when cancelled.
final class ExecutorTests: XCTestCase {
    func testConcurrentRequestsFromTasksOnTheClientsExecutor() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/status") { request in .json(#"{"path":"\#(request.target)"}"#) }
        let http = HTTPClient(proxy: .none)
        let texts = await withTaskExecutorPreference(http.executor) {
            await withTaskGroup(of: String.self) { group in
                for i in 0..<64 {
                    group.addTask { (try? await http.send(HTTPRequest(url: server.baseURL + "/status?n=\(i)")).text) ?? "failed" }
                }
                var out: [String] = []
                for await text in group { out.append(text) }
                return out
            }
        }
        XCTAssertEqual(Set(texts), Set((0..<64).map { #"{"path":"/status?n=\#($0)"}"# }))
        XCTAssertLessThanOrEqual(server.events.filter { $0.kind == .accepted }.count, 64)
    }

    func testTaskCancellationOnTheClientsExecutorStopsASend() async throws {
        let http = HTTPClient(proxy: .none)
        try await assertCancellingTheTaskStopsASend { request in
            Task(executorPreference: http.executor) { await failure { try await http.send(request) } }
        }
    }

    func testSleepingTaskResumesOnTheClientsExecutor() async throws {
        let http = HTTPClient(proxy: .none)
        let slept = await withTaskExecutorPreference(http.executor) { () -> Bool in
            try? await Task.sleep(for: .milliseconds(20))
            return true
        }
        XCTAssertTrue(slept)
    }
}
