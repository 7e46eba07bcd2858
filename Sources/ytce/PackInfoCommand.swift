import ArgumentParser
import Foundation
import PackKit

struct PackInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a pack's manifest, counts and what it lacks."
    )

    @OptionGroup var packOptions: PackOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let info = PackInfo(try await packOptions.open())
        print(json ? info.json() : info.text())
    }
}
