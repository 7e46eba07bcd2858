/// One header field. A `secret` value (an API key, a bearer token) is sent on the wire but never shown:
/// descriptions, dumps and errors print `[redacted]` instead.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public var isSecret: Bool

    public init(_ name: String, _ value: String, secret: Bool = false) {
        self.name = name
        self.value = value
        self.isSecret = secret
    }
}

extension HTTPHeader: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name): \(isSecret ? Redaction.placeholder : value)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": isSecret ? Redaction.placeholder : value])
    }
}

/// An ordered list of header fields with case-insensitive lookup. Request headers may be marked secret;
/// response headers never are.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public private(set) var fields: [HTTPHeader]

    public init(_ fields: [HTTPHeader] = []) { self.fields = fields }

    public init(arrayLiteral elements: HTTPHeader...) { self.fields = elements }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { HTTPHeader($0.0, $0.1) }
    }

    /// The first value of `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Appends a field (a repeated name is sent twice).
    public mutating func add(_ name: String, _ value: String, secret: Bool = false) {
        fields.append(HTTPHeader(name, value, secret: secret))
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String, secret: Bool = false) {
        remove(name)
        add(name, value, secret: secret)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.lowercased() == name.lowercased() }
    }

    public var isEmpty: Bool { fields.isEmpty }
    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[HTTPHeader]> { fields.makeIterator() }

    /// The values of the secret fields, for redaction.
    var secretValues: [String] { fields.filter(\.isSecret).map(\.value) }
}

extension HTTPHeaders: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "[" + fields.map(\.description).joined(separator: ", ") + "]" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, unlabeledChildren: fields, displayStyle: .collection) }
}
