/// A time read from a pack's rows (`start_ms`, `end_ms`, `duration_sec`). Packs come from anywhere, so a row may
/// hold any 64-bit value; ytce takes times from 0 to 2^53 - 1 milliseconds (exact in JSON numbers and doubles,
/// and far from overflowing when added, subtracted or converted between seconds and milliseconds) and refuses
/// a pack with any other, naming the row. ytce's own builds store only times within `CueTimeLimit.maxMs`.
enum PackTime {
    static let maxMs = (1 << 53) - 1

    /// The milliseconds in `column` (named `name`) of the current row of `statement`, checked.
    static func read(_ statement: SQLiteStatement, _ column: Int32, name: String, table: String, rowID: Int64,
                     pack: String) throws(PackError) -> Int {
        try checked(statement.int(column), limit: maxMs, unit: "milliseconds", name: name, table: table, row: "\(rowID)", pack: pack)
    }

    /// The seconds in `column` (a video's `duration_sec`), checked so that they convert to milliseconds.
    static func readSeconds(_ statement: SQLiteStatement, _ column: Int32, name: String, table: String, row: String,
                            pack: String) throws(PackError) -> Int {
        try checked(statement.int(column), limit: maxMs / 1000, unit: "seconds", name: name, table: table, row: row, pack: pack)
    }

    private static func checked(_ value: Int, limit: Int, unit: String, name: String, table: String, row: String,
                                pack: String) throws(PackError) -> Int {
        guard value >= 0 && value <= limit else {
            throw PackError(.corruptDatabase, pack: pack,
                            "pack.sqlite: \(table) row \(row) has \(name) \(value); times must be whole \(unit) from 0 to \(limit)")
        }
        return value
    }
}
