/// A value bound to a statement parameter.
enum SQLValue {
    case int(Int64)
    case text(String)
    case null

    static func optionalText(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
}

/// Inserts rows many at a time (`INSERT … VALUES (…),(…),…`): per-statement work such as AUTOINCREMENT
/// bookkeeping is paid once per batch instead of once per row, which more than halves bulk-insert time.
final class BatchInsert {
    private let db: SQLiteDatabase
    private let sql: (Int) -> String
    private let columns: Int
    private let rowsPerStatement: Int
    private let full: SQLiteStatement
    private var single: SQLiteStatement?
    private var pending: [SQLValue] = []

    init(_ db: SQLiteDatabase, table: String, columns names: [String], rowsPerStatement: Int = 64) throws(SQLiteError) {
        self.db = db
        self.columns = names.count
        // SQLite allows 32766 parameters per statement.
        self.rowsPerStatement = max(1, min(rowsPerStatement, 32_000 / names.count))
        let tuple = "(" + Array(repeating: "?", count: names.count).joined(separator: ",") + ")"
        let prefix = "INSERT INTO \(table)(\(names.joined(separator: ","))) VALUES "
        self.sql = { rows in prefix + Array(repeating: tuple, count: rows).joined(separator: ",") }
        self.full = try db.prepare(sql(self.rowsPerStatement))
        pending.reserveCapacity(self.rowsPerStatement * names.count)
    }

    func add(_ row: SQLValue...) throws(SQLiteError) {
        precondition(row.count == columns, "row has \(row.count) values for \(columns) columns")
        pending.append(contentsOf: row)
        if pending.count == rowsPerStatement * columns {
            bind(full, from: 0, rows: rowsPerStatement)
            try full.run()
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the rows still waiting (fewer than a batch).
    func flush() throws(SQLiteError) {
        let rows = pending.count / columns
        guard rows > 0 else { return }
        if single == nil { single = try db.prepare(sql(1)) }
        guard let single else { return }
        for row in 0..<rows {
            bind(single, from: row * columns, rows: 1)
            try single.run()
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func bind(_ statement: SQLiteStatement, from start: Int, rows: Int) {
        for i in 0..<(rows * columns) {
            let index = Int32(i + 1)
            switch pending[start + i] {
            case .int(let v): statement.bind(index, v)
            case .text(let s): statement.bind(index, s)
            case .null: statement.bindNull(index)
            }
        }
    }
}
