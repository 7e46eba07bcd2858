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
        // libdeflate's CRC-32 (carry-less multiply): 3x zlib's, for the checksums of every byte a build zips.
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate",
                       providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        // OpenBLAS (Debian's libopenblas0) loaded with dlopen when a model first needs it: see blas_loader.h.
        .target(
            name: "CBLAS",
            linkerSettings: [.linkedLibrary("dl")]
        ),
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
                "JSONKit", "CSQLite", "CZip", "CZlib", "CDeflate", "CHNSW", "CBLAS", "HTTPKit",
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

// The fuzz suite (scripts/fuzz, Fuzz/): present only when YTCE_FUZZ is set, so a normal build never compiles the
// harnesses (they read the libraries' internals through @testable imports) and never needs libFuzzer.
// YTCE_FUZZ=libfuzzer instruments the libraries under test (libFuzzer's coverage, AddressSanitizer), optimised (-O
// runs the parsers about 7x faster than a debug build; overflow checks stay), and links libFuzzer, whose main() runs
// the target; YTCE_FUZZ=libfuzzer-smoke is the same unoptimised, for the few seconds per target of
// `scripts/fuzz --smoke`, where compile time counts (in CI above all) and half the inputs a second does not;
// YTCE_FUZZ=replay builds the same harnesses plainly, as a program that runs saved inputs (for toolchains without
// libFuzzer, and to debug a crash without sanitizers).
if let fuzzMode = Context.environment["YTCE_FUZZ"], !fuzzMode.isEmpty {
    let libFuzzer = fuzzMode == "libfuzzer" || fuzzMode == "libfuzzer-smoke"
    let optimised = fuzzMode == "libfuzzer"
    let instrumented: [SwiftSetting] = libFuzzer ? [.unsafeFlags(["-sanitize=fuzzer,address"] + (optimised ? ["-O"] : []))] : []
    for target in package.targets where ["JSONKit", "HTTPKit", "PackKit", "JobKit", "TUI"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + instrumented
    }
    package.targets += [
        .target(
            name: "FuzzHarnesses",
            dependencies: ["PackKit", "JobKit", "TUI", "HTTPKit", "JSONKit"],
            path: "Fuzz/Harnesses",
            swiftSettings: instrumented
        ),
        .executableTarget(
            name: "ytce-fuzz",
            dependencies: ["FuzzHarnesses"],
            path: "Fuzz/ytce-fuzz",
            cSettings: libFuzzer ? [.define("YTCE_LIBFUZZER")] : [],
            linkerSettings: libFuzzer ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []
        ),
    ]
}
