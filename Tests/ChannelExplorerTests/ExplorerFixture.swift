@testable import ChannelExplorer
import Foundation
import JobKit
import PackKit
import TUI
import XCTest

/// A ChannelExplorer on the bundled sample pack, with its own data and cache dirs, run in memory.
struct ExplorerFixture {
    let root: URL
    let context: ExplorerContext
    /// The explorer's real loop on an in-memory terminal.
    let driver: Runtime<ChannelExplorer, TestBackend>

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var samplePack: String { repository.appendingPathComponent("sample-packs/coffee-lab.pack").path }

    init(width: Int = 120, height: Int = 40, packs: [String] = [ExplorerFixture.samplePack], environment extra: [String: String] = [:],
         config: PackConfig = PackConfig(), theme: Theme = ExplorerTheme.builtinDefault) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-explorer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var environment = ["YTCE_DATA_DIR": root.appendingPathComponent("data").path, "HOME": root.path]
        environment.merge(extra) { _, new in new }
        let jobs = try JobsService(config: config, environment: environment)
        context = ExplorerContext(cache: PackCache(directory: root.appendingPathComponent("cache")), config: config,
                                  environment: environment, jobs: jobs, jobsProblem: nil, packPaths: packs,
                                  packDirectories: [ExplorerFixture.repository.appendingPathComponent("sample-packs").path])
        let program = ChannelExplorer(context: context)
        var model = ExplorerModel(theme: theme)
        let effects = program.start(&model)
        driver = Runtime(program: program, model: model, backend: TestBackend(width: width, height: height), initialEffects: effects)
        driver.runPending()
    }

    func cleanUp() {
        driver.cancelAllTasks()
        try? FileManager.default.removeItem(at: root)
    }

    /// Waits until the sample pack is open.
    func waitForPack(file: StaticString = #filePath, line: UInt = #line) async {
        let opened = await driver.waitUntil(timeout: 20) { $0.session != nil }
        XCTAssertTrue(opened, "the pack did not open: \(driver.model.status.error ?? "no error")", file: file, line: line)
    }

    /// Asks a question and waits for the answer.
    func ask(_ question: String, file: StaticString = #filePath, line: UInt = #line) async {
        driver.type(question)
        driver.press(.enter)
        let done = await driver.waitUntil(timeout: 20) { model in model.ask.entries.last.map { $0.state != .running } ?? false }
        XCTAssertTrue(done, "no answer to '\(question)'", file: file, line: line)
    }

    var screen: String { driver.screen }
}

/// The panes' state, for assertions.
extension ExplorerModel {
    var ask: AskPane { panes[AskPane.self] }
    var citations: CitationsPane { panes[CitationsPane.self] }
    var transcript: TranscriptPane { panes[TranscriptPane.self] }
    var library: LibraryPane { panes[LibraryPane.self] }
    var jobsPane: JobsPane { panes[JobsPane.self] }
}
