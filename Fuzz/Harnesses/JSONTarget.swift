import Foundation
import JSONKit

/// JSONKit, the parser under every JSON file ytce reads: a document either fails with a line inside the input, or
/// parses to a value that serializes to JSON that parses back to the same value (compact and pretty-printed).
enum JSONTarget {
    static let json = FuzzTarget(
        name: "json",
        summary: "JSONValue.parse; errors name a line of the input; parse → serialize → parse round-trips",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        let data = Data(input)
        let value: JSONValue
        do throws(JSONValue.ParseError) {
            value = try JSONValue.parse(data)
        } catch {
            let lines = input.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            require(error.line >= 1 && error.line <= lines, "error on line \(error.line) of a \(lines)-line input")
            return
        }
        let compact = JSONValue.serialize(value)
        let reparsed: JSONValue
        do throws(JSONValue.ParseError) { reparsed = try JSONValue.parse(Data(compact.utf8)) } catch {
            return require(false, "serialized JSON does not parse (\(error.reason)): \(compact.prefix(200))")
        }
        require(reparsed == value, "round trip changed the value: \(compact.prefix(200))")
        if case .object(let members) = value {
            let pretty = JSONValue.serialize(orderedObject: members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, indent: 2)
            require((try? JSONValue.parse(Data(pretty.utf8))) == value, "pretty-printed JSON does not round-trip: \(pretty.prefix(200))")
        }
    }

}
