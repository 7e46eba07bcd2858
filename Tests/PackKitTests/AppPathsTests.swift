import Foundation
import PackKit
import XCTest

/// One answer to "where does ytce keep X", whatever module asks.
final class AppPathsTests: XCTestCase {
    func testDefaultsAreTheXDGFoldersUnderHome() {
        let paths = AppPaths(environment: ["HOME": "/home/ana"])
        XCTAssertEqual(paths.config, "/home/ana/.config/ytce")
        XCTAssertEqual(paths.data, "/home/ana/.local/share/ytce")
        XCTAssertEqual(paths.cache, "/home/ana/.cache/ytce")
        XCTAssertEqual(paths.state, "/home/ana/.local/state/ytce")
        XCTAssertEqual(paths.packCache, "/home/ana/.cache/ytce/packs")
        XCTAssertEqual(paths.embeddingCache, "/home/ana/.cache/ytce/embeddings.sqlite")
        XCTAssertEqual(paths.jobStore, "/home/ana/.local/share/ytce/jobs.sqlite")
        XCTAssertEqual(paths.summaries, "/home/ana/.local/share/ytce/summaries")
        XCTAssertEqual(paths.packs, "/home/ana/.local/share/ytce/packs")
        XCTAssertEqual(paths.themeDirectories, ["/home/ana/.config/ytce/themes"])
        XCTAssertEqual(paths.recentPacks, "/home/ana/.local/state/ytce/recent-packs.txt")
        XCTAssertEqual(paths.questionHistory(channelID: "UC/x y"), "/home/ana/.local/state/ytce/history/UC_x_y.txt")
        XCTAssertEqual(paths.legacy(paths.questionHistory(channelID: "c1")), "/home/ana/.local/share/ytce/history/c1.txt")
    }

    func testXDGVariablesAndYTCEOverrides() {
        let xdg = AppPaths(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/x/config", "XDG_DATA_HOME": "/x/data",
                                         "XDG_CACHE_HOME": "/x/cache", "XDG_STATE_HOME": "/x/state"])
        XCTAssertEqual([xdg.config, xdg.data, xdg.cache, xdg.state], ["/x/config/ytce", "/x/data/ytce", "/x/cache/ytce", "/x/state/ytce"])
        XCTAssertEqual(xdg.packCache, "/x/cache/ytce/packs")
        XCTAssertEqual(xdg.embeddingCache, "/x/cache/ytce/embeddings.sqlite")
        // Relative XDG values are ignored (the XDG specification says so).
        XCTAssertEqual(AppPaths(environment: ["HOME": "/h", "XDG_DATA_HOME": "relative"]).data, "/h/.local/share/ytce")
        let mine = AppPaths(environment: ["HOME": "/h", "XDG_DATA_HOME": "/x/data", "YTCE_CONFIG_DIR": "/c", "YTCE_DATA_DIR": "/d",
                                          "YTCE_CACHE_DIR": "/k", "YTCE_STATE_DIR": "/s", "YTCE_THEMES_DIR": "/t"])
        XCTAssertEqual([mine.config, mine.data, mine.cache, mine.state], ["/c", "/d", "/k", "/s"])
        XCTAssertEqual(mine.packCache, "/k", "YTCE_CACHE_DIR is where packs are unpacked, as before")
        XCTAssertEqual(mine.themeDirectories, ["/t", "/c/themes"])
        XCTAssertEqual(mine.embeddingCache, "/h/.cache/ytce/embeddings.sqlite", "not in the pack cache, which `cache prune` empties")
        XCTAssertEqual(AppPaths(environment: ["HOME": "/h", "YTCE_EMBEDDING_CACHE": "/e.sqlite"]).embeddingCache, "/e.sqlite")
        XCTAssertEqual(EmbeddingCache.standardPath(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"]), "/x/ytce/embeddings.sqlite")
        // An empty variable counts as unset.
        XCTAssertEqual(AppPaths(environment: ["HOME": "/h", "YTCE_DATA_DIR": ""]).data, "/h/.local/share/ytce")
    }

    /// The pack cache follows the same answer (with `--cache-dir` still first).
    func testThePackCacheAsksAppPaths() throws {
        let environment = ["HOME": "/h", "XDG_CACHE_HOME": "/x/cache"]
        XCTAssertEqual(try PackCache.standard(environment: environment).directory.path, AppPaths(environment: environment).packCache)
        XCTAssertEqual(try PackCache.standard(environment: environment, override: "/o").directory.path, "/o")
    }

    /// A cache size the user set and ytce cannot read is said, not ignored (the cache would grow past it).
    func testACacheSizeThatIsNotANumberIsAnError() throws {
        XCTAssertEqual(try PackCache.standard(environment: ["HOME": "/h", "YTCE_CACHE_MAX_MB": "64"]).maxBytes, 64 << 20)
        XCTAssertEqual(try PackCache.standard(environment: ["HOME": "/h", "YTCE_CACHE_MAX_MB": "64"], configMaxBytes: 1).maxBytes, 64 << 20,
                       "the variable wins over the config")
        XCTAssertEqual(try PackCache.standard(environment: ["HOME": "/h", "YTCE_CACHE_MAX_MB": ""]).maxBytes, PackCache.defaultMaxBytes,
                       "empty counts as unset")
        for bad in ["64MB", "-1", "1e3", "99999999999999999999"] {
            XCTAssertThrowsError(try PackCache.standard(environment: ["HOME": "/h", "YTCE_CACHE_MAX_MB": bad]), bad) { error in
                XCTAssertEqual("\(error)", "YTCE_CACHE_MAX_MB=\(bad): the cache size must be a whole number of MiB from 0 to 1073741824")
            }
        }
    }
}
