import ChannelExplorer
import Foundation
import JobKit
import PackKit
import TUI

/// The explorer's own loop on an in-memory 200×60 terminal, opening one pack: what the TUI and workbench benches
/// drive. Its data folder (and `HOME`) is `data`, its pack cache `cache`.
struct BenchExplorer {
    let driver: Runtime<ChannelExplorer, TestBackend>

    init(pack: String, data: URL, cache: URL) throws {
        let environment = ["YTCE_DATA_DIR": data.path, "HOME": data.path]
        let context = ExplorerContext(cache: PackCache(directory: cache), config: PackConfig(), environment: environment,
                                      jobs: try JobsService(config: PackConfig(), environment: environment),
                                      jobsProblem: nil, packPaths: [pack], packDirectories: [])
        let program = ChannelExplorer(context: context)
        var model = ExplorerModel(theme: ExplorerTheme.builtinDefault)
        let effects = program.start(&model)
        driver = Runtime(program: program, model: model, backend: TestBackend(width: 200, height: 60), initialEffects: effects)
    }

    /// Turns the loop until `predicate` holds of the model; false when `timeout` seconds pass first.
    @discardableResult
    func wait(timeout: Double, _ predicate: (ExplorerModel) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !predicate(driver.model) {
            guard Date() < deadline else { return false }
            driver.turn(timeout: 0.001)
        }
        return true
    }

    func stop() { driver.cancelAllTasks() }
}
