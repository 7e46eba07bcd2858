/// When and how long to wait before trying a request again.
///
/// A request is retried only when it is safe to repeat (`HTTPRequest.isSafeToRepeat`) and it failed with
/// a retryable status (429, 502, 503, 504 by default) or a connection error (name resolution, connect,
/// connect or idle timeout, connection lost before the response began). A stream is never retried once
/// its first byte reached the consumer. The wait is the server's `Retry-After` when it sends one (seconds
/// or an HTTP date; one longer than `maxRetryAfter` ends the retries), otherwise exponential backoff with
/// full jitter: a uniform random delay in `0 ... min(maxDelay, baseDelay * 2^(retry - 1))`.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means no retries.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` the client waits for.
    public var maxRetryAfter: Double
    public var retryableStatuses: Set<Int>

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 120,
                retryableStatuses: Set<Int> = [429, 502, 503, 504]) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
        self.retryableStatuses = retryableStatuses
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff before retry number `retry` (1 for the first retry), full jitter.
    public func backoff(retry: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(max(retry - 1, 0), 30)))
        return ceiling > 0 ? Double.random(in: 0...ceiling) : 0
    }

    /// The delay a `Retry-After` value asks for, in seconds from `now` (Unix seconds): a non-negative
    /// integer, or an HTTP date (IMF-fixdate, RFC 850 or asctime form). Nil when unparseable.
    public static func retryAfterDelay(_ value: String, now: Double) -> Double? {
        let text = value.trimmingWhitespace()
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return Double(text)
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        return max(0, date - now)
    }
}

/// HTTP dates (RFC 9110 §5.6.7) as Unix seconds.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Double? {
        // Drop the weekday ("Sun," / "Sunday," / "Sun"), split the rest on spaces, dashes and colons.
        var rest = Substring(text)
        if let comma = rest.firstIndex(of: ",") { rest = rest[rest.index(after: comma)...] }
        let tokens = rest.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" }).map(String.init)
        var day: Int?, month: Int?, year: Int?, hour: Int?, minute: Int?, second: Int?
        if text.contains(",") {
            // IMF-fixdate "06 Nov 1994 08:49:37 GMT" or RFC 850 "06-Nov-94 08:49:37 GMT"
            guard tokens.count >= 6 else { return nil }
            day = Int(tokens[0]); month = monthIndex(tokens[1]); year = Int(tokens[2])
            hour = Int(tokens[3]); minute = Int(tokens[4]); second = Int(tokens[5])
            if let y = year, tokens[2].count == 2 { year = y < 70 ? 2000 + y : 1900 + y }
        } else {
            // asctime "Sun Nov  6 08:49:37 1994"
            guard tokens.count >= 7 else { return nil }
            month = monthIndex(tokens[1]); day = Int(tokens[2])
            hour = Int(tokens[3]); minute = Int(tokens[4]); second = Int(tokens[5]); year = Int(tokens[6])
        }
        guard let day, let month, let year, let hour, let minute, let second,
              (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second)
    }

    private static func monthIndex(_ token: String) -> Int? {
        months.firstIndex(of: token.lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var view = self[...]
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
