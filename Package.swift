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
        .target(
            name: "PackKit",
            dependencies: [
                "CSQLite", "CZip", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ytce",
            dependencies: [
                "PackKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ytce-bench",
            dependencies: ["PackKit"]
        ),
        .testTarget(
            name: "PackKitTests",
            dependencies: ["PackKit"],
            exclude: ["Fixtures"]
        ),
    ]
)
