import Foundation

/// `manifest.json` of a pack. The keys the reference writes are typed; anything else is kept as-is.
public struct PackManifest: Sendable, Equatable {
    public var packVersion: Int
    public var schemaVersion: Int
    public var createdAt: String
    public var channelID: String
    public var channelTitle: String
    public var embeddingDim: Int
    public var embeddingModelID: String
    public var videoCount: Int
    /// Keys beyond the reference's (counts, builder, chunking…), JSON-encoded values by key.
    public var extra: [String: JSONValue]

    public init(
        packVersion: Int = 1, schemaVersion: Int = PackSchema.version, createdAt: String,
        channelID: String, channelTitle: String, embeddingDim: Int, embeddingModelID: String,
        videoCount: Int, extra: [String: JSONValue] = [:]
    ) {
        self.packVersion = packVersion
        self.schemaVersion = schemaVersion
        self.createdAt = createdAt
        self.channelID = channelID
        self.channelTitle = channelTitle
        self.embeddingDim = embeddingDim
        self.embeddingModelID = embeddingModelID
        self.videoCount = videoCount
        self.extra = extra
    }

    /// The largest manifest ytce reads (the reference's are a few hundred bytes).
    static let maxBytes = 1 << 20

    static let requiredKeys = [
        "pack_version", "schema_version", "created_at", "channel_id", "channel_title",
        "embedding_dim", "embedding_model_id", "video_count",
    ]

    /// Parses and checks the shape; the error names the field that is wrong.
    public static func parse(_ data: Data, pack: String) throws(PackError) -> PackManifest {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw PackError(.badManifest, pack: pack, "manifest.json is not valid JSON: \(error.reason)")
        }
        guard case .object(let object) = value else {
            throw PackError(.badManifest, pack: pack, "manifest.json must be a JSON object, found \(value.typeName)")
        }
        func field(_ key: String) throws(PackError) -> JSONValue {
            guard let v = object[key] else {
                throw PackError(.badManifest, pack: pack, "manifest.json: missing field '\(key)'")
            }
            return v
        }
        func int(_ key: String, min: Int, max: Int? = nil) throws(PackError) -> Int {
            let v = try field(key)
            guard let n = v.intValue, n >= min, n <= max ?? n else {
                let range = max.map { "from \(min) to \($0)" } ?? ">= \(min)"
                throw PackError(.badManifest, pack: pack,
                                "manifest.json: field '\(key)' must be an integer \(range), found \(v.shortDescription)")
            }
            return n
        }
        func string(_ key: String, nonEmpty: Bool) throws(PackError) -> String {
            let v = try field(key)
            guard case .string(let s) = v, !nonEmpty || !s.isEmpty else {
                throw PackError(.badManifest, pack: pack,
                                "manifest.json: field '\(key)' must be a \(nonEmpty ? "non-empty " : "")string, found \(v.shortDescription)")
            }
            return s
        }
        let manifest = PackManifest(
            packVersion: try int("pack_version", min: 1),
            schemaVersion: try int("schema_version", min: 1),
            createdAt: try string("created_at", nonEmpty: false),
            channelID: try string("channel_id", nonEmpty: true),
            channelTitle: try string("channel_title", nonEmpty: false),
            embeddingDim: try int("embedding_dim", min: 1, max: NpyHeader.maxColumns),
            embeddingModelID: try string("embedding_model_id", nonEmpty: true),
            videoCount: try int("video_count", min: 0),
            extra: object.filter { !requiredKeys.contains($0.key) }
        )
        guard manifest.schemaVersion <= PackSchema.version else {
            throw PackError(.badManifest, pack: pack,
                            "manifest.json: schema_version \(manifest.schemaVersion) is newer than this ytce understands (\(PackSchema.version)); update ytce")
        }
        return manifest
    }

    /// Pretty JSON with the reference's keys first, in the reference's order.
    public func encoded() -> Data {
        var members: [(String, JSONValue)] = [
            ("pack_version", .number(Double(packVersion))),
            ("schema_version", .number(Double(schemaVersion))),
            ("created_at", .string(createdAt)),
            ("channel_id", .string(channelID)),
            ("channel_title", .string(channelTitle)),
            ("embedding_dim", .number(Double(embeddingDim))),
            ("embedding_model_id", .string(embeddingModelID)),
            ("video_count", .number(Double(videoCount))),
        ]
        members += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return Data(JSONValue.serialize(orderedObject: members, indent: 2).utf8)
    }
}
