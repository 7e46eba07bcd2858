import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One accepted socket: reads requests, writes bytes, watches for the peer going away.
final class Connection {
    let fd: Int32
    let number: Int
    private var buffer: [UInt8] = []
    private(set) var peerClosed = false

    init(fd: Int32, number: Int) {
        self.fd = fd
        self.number = number
    }

    /// Reads one request (headers and a Content-Length body); nil at end of stream or on a malformed one.
    func readRequest() -> RecordedRequest? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if let end = find(terminator) {
                headEnd = end
                break
            }
            guard buffer.count < 1 << 20, fill() else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        let headers: [(name: String, value: String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return RecordedRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                               body: body, receivedAt: .now, connection: number)
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for start in 0...(buffer.count - pattern.count) where buffer[start] == pattern[0] {
            if Array(buffer[start..<start + pattern.count]) == pattern { return start }
        }
        return nil
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            peerClosed = true
            return false
        }
    }

    /// Writes everything; false when the peer is gone.
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                peerClosed = true
                return false
            }
            offset += count
        }
        return true
    }

    /// Waits until `deadline`, returning early (true) if the peer closes the connection; also returns
    /// (false) when `stop` says so.
    func watch(until deadline: Date, stop: () -> Bool) -> Bool {
        while Date() < deadline && !stop() {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(0, min(20, deadline.timeIntervalSinceNow * 1000)))
            let ready = poll(&poller, 1, wait)
            if ready > 0 {
                var byte: UInt8 = 0
                let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
                    peerClosed = true
                    return true
                }
                if count > 0 { usleep(UInt32(max(0, min(20_000, deadline.timeIntervalSinceNow * 1_000_000)))) }
            }
        }
        return false
    }
}
