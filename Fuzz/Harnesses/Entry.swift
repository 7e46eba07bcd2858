import Foundation

// The C entry points. One binary holds every target; `YTCE_FUZZ_TARGET` names the one to run (libFuzzer passes
// its own flags and corpus folders on the command line, and its -fork/-jobs children inherit the environment).

nonisolated(unsafe) private var selected: FuzzTarget?

/// The target `YTCE_FUZZ_TARGET` names (after the one-off modes, which exit).
private func selectTarget() -> FuzzTarget {
    if let selected { return selected }
    let environment = ProcessInfo.processInfo.environment
    runOneOffMode(environment)
    let name = environment["YTCE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        let known = FuzzTarget.all.map(\.name).joined(separator: " ")
        FileHandle.standardError.write(Data("ytce-fuzz: set YTCE_FUZZ_TARGET to one of: \(known)\n".utf8))
        exit(2)
    }
    selected = target
    return target
}

/// For scripts/fuzz, before any fuzzing: `YTCE_FUZZ_WRITE_SEEDS=DIR` writes every target's seeds there,
/// `YTCE_FUZZ_LIST=1` prints one line per target ("NAME<tab>MAX_LEN<tab>DICTIONARY<tab>SUMMARY"); both then exit.
private func runOneOffMode(_ environment: [String: String]) {
    if let folder = environment["YTCE_FUZZ_WRITE_SEEDS"], !folder.isEmpty {
        let root = URL(fileURLWithPath: environment["YTCE_FUZZ_ROOT"] ?? FileManager.default.currentDirectoryPath)
        do {
            try SeedCorpus(root: root, output: URL(fileURLWithPath: folder)).writeAll()
        } catch {
            FileHandle.standardError.write(Data("ytce-fuzz: cannot write the seeds to \(folder): \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }
    if environment["YTCE_FUZZ_LIST"] == "1" {
        for target in FuzzTarget.all { print("\(target.name)\t\(target.maxLength)\t\(target.dictionary)\t\(target.summary)") }
        exit(0)
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = selectTarget()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectTarget().run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The `main` of a plain build (no libFuzzer): runs the target once on each file given, or on each file of each
/// folder given. Reproduces a crash or checks a corpus where libFuzzer is not available.
@_cdecl("ytce_fuzz_replay")
public func fuzzReplay(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let target = selectTarget()
    var files: [String] = []
    for i in 1..<Int(argc) {
        guard let pointer = argv[i] else { continue }
        let path = String(cString: pointer)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("ytce-fuzz: \(path): no such file or folder\n".utf8))
            return 2
        }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files += names.sorted().map { path + "/" + $0 }
        } else {
            files.append(path)
        }
    }
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        data.withUnsafeBytes { target.run($0) }
    }
    print("\(target.name): \(files.count) inputs ran without a crash")
    return 0
}
