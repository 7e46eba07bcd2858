// swift-tools-version:6.0
import PackageDescription

// System libraries come from Debian (see README); each is wrapped in a thin target
// so that C interop stays inside it.
let package = Package(
    name: "ytce",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PackKit", targets: ["PackKit"]),
        .executable(name: "ytce", targets: ["ytce"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZip", pkgConfig: "libzip",
                       providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // hnswlib (libhnswlib-dev, header-only) behind a plain C API: builds HNSW graphs; search is in Swift.
        .target(
            name: "CHNSW",
            linkerSettings: [.linkedLibrary("m")]
        ),
        // JSON as values with line-numbered errors, shared by the engine and the theme loader.
        .target(
            name: "JSONKit"
        ),
        .target(
            name: "PackKit",
            dependencies: [
                "JSONKit", "CSQLite", "CZip", "CZlib", "CHNSW", "CBLAS", "HTTPKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The HTTP client (libcurl) for the LLM backends and RunPod; bodies are bytes, no PackKit.
        .target(
            name: "HTTPKit",
            dependencies: ["CCurl"]
        ),
        // A real HTTP/1.1 server on loopback sockets, for tests only.
        .target(
            name: "HTTPTestServer",
            dependencies: ["JSONKit"]
        ),
        // For tests and the benchmark: a private tmux session to drive the real terminal UI; built executables;
        // a seedable random generator.
        .target(
            name: "TestHarness"
        ),
        // Summarisation jobs: the RunPod client, the durable job store, the poller, summary sinks (local, pack, S3).
        .target(
            name: "JobKit",
            dependencies: [
                "PackKit", "HTTPKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The terminal UI framework: cell buffer, widgets, themes, the Elm-style runtime, the ncurses painter.
        .target(
            name: "TUI",
            dependencies: ["CCurses", "JSONKit"]
        ),
        // ytce's screens on the TUI framework: state, messages, update, views, effects on PackKit and JobKit.
        .target(
            name: "ChannelExplorer",
            dependencies: ["TUI", "PackKit", "JobKit", "HTTPKit"]
        ),
        .executableTarget(
            name: "ytce",
            dependencies: [
                "PackKit", "HTTPKit", "JobKit", "TUI", "ChannelExplorer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ytce-bench",
            dependencies: ["PackKit", "JobKit", "TUI", "ChannelExplorer", "HTTPTestServer", "TestHarness"]
        ),
        .testTarget(
            name: "PackKitTests",
            dependencies: ["PackKit", "HTTPKit", "HTTPTestServer", "TestHarness"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "JobKitTests",
            dependencies: ["JobKit", "PackKit", "HTTPKit", "HTTPTestServer", "TestHarness"]
        ),
        .testTarget(
            name: "TUITests",
            dependencies: ["TUI", "TestHarness"]
        ),
        .testTarget(
            name: "ChannelExplorerTests",
            dependencies: ["ChannelExplorer", "TUI", "PackKit", "JobKit", "HTTPTestServer", "TestHarness"]
        ),
        .testTarget(
            name: "MiniLMTests",
            dependencies: ["PackKit", "TestHarness"]
        ),
        .testTarget(
            name: "HTTPKitTests",
            dependencies: ["HTTPKit", "HTTPTestServer", "TestHarness"]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
