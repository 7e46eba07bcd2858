import ArgumentParser
import ChannelExplorer

/// `ytce keys`: every key and palette command of the terminal UI, generated from its bindings (the README's key
/// table is this with --markdown; scripts/readme-keys puts it there).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List the terminal UI's keys and palette commands (from the same bindings the UI runs)."
    )

    @Flag(help: "As the README's Markdown table.")
    var markdown = false

    func run() throws {
        print(markdown ? KeyReference.markdown : KeyReference.text, terminator: "")
    }
}
