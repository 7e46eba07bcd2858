import ArgumentParser
import Foundation
import PackKit

struct PackInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a pack's manifest, counts and what it lacks."
    )

    @Option(help: "A .pack file or an unpacked pack folder.")
    var pack: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var cacheOptions: CacheOptions

    func run() throws {
        let opened: ChannelPack
        do { opened = try ChannelPack.open(pack, options: .init(cache: cacheOptions.cache)) } catch {
            throw fail(error.description)
        }
        let info = PackInfo(opened)
        print(json ? info.json() : info.text())
    }
}
