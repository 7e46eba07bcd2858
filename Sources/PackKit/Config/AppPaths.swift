import Foundation

/// Where ytce keeps its files: the XDG base directories, each with a `YTCE_*` override. Every module asks here
/// (the pack cache, the job store, the terminal UI's history and themes, the CLI), so they cannot disagree.
///
/// | folder | override | XDG | default |
/// |---|---|---|---|
/// | config: themes | `YTCE_CONFIG_DIR` | `$XDG_CONFIG_HOME/ytce` | `~/.config/ytce` |
/// | data: job store, summaries, packs | `YTCE_DATA_DIR` | `$XDG_DATA_HOME/ytce` | `~/.local/share/ytce` |
/// | cache: unpacked packs | `YTCE_CACHE_DIR` | `$XDG_CACHE_HOME/ytce` | `~/.cache/ytce` |
/// | state: question history, recent packs | `YTCE_STATE_DIR` | `$XDG_STATE_HOME/ytce` | `~/.local/state/ytce` |
///
/// XDG variables that are not absolute paths are ignored, as the XDG specification says.
public struct AppPaths: Sendable, Equatable {
    public var config: String
    public var data: String
    public var cache: String
    public var state: String
    /// Where `.pack` files are unpacked: `$YTCE_CACHE_DIR` itself when set (as it always was), else `cache/packs`.
    public var packCache: String
    /// A themes folder searched before the config's (`$YTCE_THEMES_DIR`).
    public var themesOverride: String?
    /// Embeddings of text already embedded, shared by every pack build: `$YTCE_EMBEDDING_CACHE`, else
    /// `embeddings.sqlite` in the XDG cache folder. `YTCE_CACHE_DIR` does not move it: that folder is the pack
    /// cache itself, which `cache prune` empties.
    public var embeddingCache: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME") ?? NSHomeDirectory()
        func folder(override: String?, xdg: String, fallback: String) -> String {
            if let override, let dir = value(override) { return dir }
            if let base = value(xdg), base.hasPrefix("/") { return (base as NSString).appendingPathComponent("ytce") }
            return (home as NSString).appendingPathComponent(fallback)
        }
        config = folder(override: "YTCE_CONFIG_DIR", xdg: "XDG_CONFIG_HOME", fallback: ".config/ytce")
        data = folder(override: "YTCE_DATA_DIR", xdg: "XDG_DATA_HOME", fallback: ".local/share/ytce")
        cache = folder(override: "YTCE_CACHE_DIR", xdg: "XDG_CACHE_HOME", fallback: ".cache/ytce")
        state = folder(override: "YTCE_STATE_DIR", xdg: "XDG_STATE_HOME", fallback: ".local/state/ytce")
        packCache = value("YTCE_CACHE_DIR") ?? (cache as NSString).appendingPathComponent("packs")
        themesOverride = value("YTCE_THEMES_DIR")
        let xdgCache = folder(override: nil, xdg: "XDG_CACHE_HOME", fallback: ".cache/ytce")
        embeddingCache = value("YTCE_EMBEDDING_CACHE") ?? (xdgCache as NSString).appendingPathComponent("embeddings.sqlite")
    }

    /// The durable list of summarisation jobs.
    public var jobStore: String { (data as NSString).appendingPathComponent("jobs.sqlite") }
    /// Where summaries are written by default.
    public var summaries: String { (data as NSString).appendingPathComponent("summaries") }
    /// Packs the pack picker lists.
    public var packs: String { (data as NSString).appendingPathComponent("packs") }
    /// Theme folders, searched in order before the shipped themes.
    public var themeDirectories: [String] {
        (themesOverride.map { [$0] } ?? []) + [(config as NSString).appendingPathComponent("themes")]
    }
    /// The recently opened packs, newest first.
    public var recentPacks: String { (state as NSString).appendingPathComponent("recent-packs.txt") }

    /// The questions asked of one channel's pack.
    public func questionHistory(channelID: String) -> String {
        (state as NSString).appendingPathComponent("history/\(Self.fileName(channelID)).txt")
    }

    /// Where the question history and the recent packs were kept before they moved to the state folder (the data
    /// folder); read when the state folder has no file yet, so nothing a user had is lost.
    public func legacy(_ stateFile: String) -> String {
        guard stateFile.hasPrefix(state) else { return stateFile }
        return data + stateFile.dropFirst(state.count)
    }

    /// A channel id as a file name: letters, digits, '-' and '_' kept, anything else '_'.
    static func fileName(_ id: String) -> String {
        let safe = String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return safe.isEmpty ? "pack" : safe
    }
}
