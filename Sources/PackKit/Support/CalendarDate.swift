/// Whether a year, month and day are a date of the Gregorian calendar: upload dates in `videos.json` and the dates
/// of a scope are checked alike ("2025-13", "2023-02-29" are none).
enum CalendarDate {
    static func days(inMonth month: Int, of year: Int) -> Int? {
        guard (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard let days = days(inMonth: month, of: year) else { return false }
        return (1...days).contains(day)
    }
}
