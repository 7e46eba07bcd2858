@testable import ChannelExplorer
import Foundation
import TUI
import XCTest

/// The bindings are the one source of the keys: every one is described, none hides another, and help, hints, the
/// palette and the README's table are generated from them.
final class KeyReferenceTests: XCTestCase {
    /// Every component's bindings as help (whatever state it is in).
    var everyComponent: [(String, [KeyHelp])] {
        [("global", GlobalBindings.all.map(\.help)), ("picker", PickerPane.helpList)]
            + PaneList.tabs.map { ($0.title, $0.helpList) }
            + [("text popup", TextPopup.bindings.map(\.help)), ("palette", PalettePopup.bindings.map(\.help)),
               ("prompt", PromptPopup.bindings.map(\.help)), ("quit", QuitPopup.bindings.map(\.help)),
               ("text field", TextField.editingHelp)]
    }

    func testEveryBindingHasADescriptionAndKeysOrACommand() {
        for (component, helps) in everyComponent {
            XCTAssertFalse(helps.isEmpty, "\(component) declares no bindings")
            for help in helps {
                XCTAssertFalse(help.description.trimmingCharacters(in: .whitespaces).isEmpty, "\(component): \(help.keys) has no description")
                XCTAssertTrue(!help.keys.isEmpty || help.command != nil, "\(component): '\(help.description)' has neither keys nor a command")
            }
        }
    }

    /// The app's keys are checked before a pane's: a pane binding on one of them would never run (or would take it
    /// from every other pane). Keys that work everywhere must not be a pane's; plain keys the app takes outside
    /// text fields must not be a pane's either.
    func testNoPaneBindingShadowsAGlobalKey() {
        let everywhere = Set(GlobalBindings.everywhere.flatMap(\.keys))
        let outside = Set((GlobalBindings.onEmptyLine + GlobalBindings.outsideText).flatMap(\.keys))
        let panes: [(String, [Key])] = [("picker", PickerPane.bindings.flatMap(\.keys))]
            + PaneList.tabs.map { pane in (pane.title, pane.keyList) }
        for (pane, keys) in panes {
            XCTAssertTrue(everywhere.isDisjoint(with: keys), "\(pane) binds \(everywhere.intersection(keys).map(\.name)), which work everywhere")
            XCTAssertTrue(outside.isDisjoint(with: keys), "\(pane) binds \(outside.intersection(keys).map(\.name)), which the app takes")
        }
    }

    func testPaletteCommandsAreUnique() {
        let names = GlobalBindings.all.compactMap(\.command) + PaneList.tabs.flatMap { $0.helpList.compactMap(\.command) }
        XCTAssertEqual(names.count, Set(names).count, "\(names)")
    }

    /// The README's key table is the generated one (scripts/readme-keys regenerates it).
    func testTheReadmeKeyTableIsTheGeneratedOne() throws {
        let readme = try String(contentsOf: ExplorerFixture.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        let begin = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("<!-- keys:begin") }, "README has no keys:begin marker")
        let end = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("<!-- keys:end") }, "README has no keys:end marker")
        let table = lines[(begin + 1)..<end].joined(separator: "\n") + "\n"
        XCTAssertEqual(table, KeyReference.markdown, "README.md's key table is not the generated one: run scripts/readme-keys")
        // Every pane and command is in it.
        for pane in PaneList.tabs { XCTAssertTrue(table.contains("| \(pane.title) |"), pane.title) }
        for command in GlobalBindings.all.compactMap(\.command) { XCTAssertTrue(table.contains("`\(command)"), command) }
    }

    /// `?` lists what the bindings that apply say, for the pane that has the keyboard and for the app.
    func testHelpIsGeneratedFromTheBindingsThatApply() async throws {
        let f = try ExplorerFixture(width: 120, height: 60)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        f.driver.press(.character("?"))
        let help = f.screen
        XCTAssertTrue(help.contains("Keys · Library"), help)
        for binding in LibraryPane.bindings { XCTAssertTrue(help.contains(binding.description), "help lacks '\(binding.description)':\n\(help)") }
        // Long descriptions wrap under themselves: their first words are there.
        for binding in GlobalBindings.everywhere where binding.isActive(f.driver.model) {
            XCTAssertTrue(help.contains(binding.keysText + " ") && help.contains(String(binding.description.prefix(20))),
                          "help lacks \(binding.keysText):\n\(help)")
        }
        XCTAssertFalse(help.contains(TranscriptPane.bindings[0].description), "another pane's keys")
        f.driver.press(.escape)
        // In the ask pane while typing: the line's editing keys, and no conversation-only keys.
        f.driver.press(.alt("1"))
        f.driver.press(.function(1))
        let askHelp = f.screen
        XCTAssertTrue(askHelp.contains("Editing the line"), askHelp)
        XCTAssertTrue(askHelp.contains("delete the word before"), askHelp)
        XCTAssertTrue(askHelp.contains("ask the question"), askHelp)
        XCTAssertFalse(askHelp.contains("scroll the conversation down"), "a key that does not apply while typing:\n\(askHelp)")
    }

    /// The hints on a pane's frame and in the status bar come from the bindings.
    func testHintsAreGeneratedFromTheBindings() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let hints = LibraryPane.bindings.map(\.help).hintLine
        XCTAssertFalse(hints.isEmpty)
        XCTAssertTrue(f.driver.frame.lines()[1].contains(hints), "\(hints) not on the frame:\n\(f.screen)")
        XCTAssertTrue(f.driver.frame.lines()[29].hasSuffix(" ? help "), f.screen)
    }

    /// The palette lists the app's commands and the focused pane's own (the transcript's jump), from the bindings.
    func testThePaletteListsTheCommandsOfTheBindings() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.character(":"))
        var palette = f.screen
        for usage in GlobalBindings.all.compactMap(\.help.usage) { XCTAssertTrue(palette.contains(usage), "\(usage):\n\(palette)") }
        XCTAssertFalse(palette.contains("jump TIME"), "the transcript's command outside the transcript:\n\(palette)")
        f.driver.press(.escape)
        f.driver.press(.alt("3"))
        f.driver.press(.character(":"))
        palette = f.screen
        XCTAssertTrue(palette.contains("jump TIME"), palette)
        // Tab completes a command's name.
        f.driver.type("bac")
        f.driver.press(.tab)
        guard case .palette(let popup)? = f.driver.model.popup else { return XCTFail("no palette") }
        XCTAssertEqual(popup.field.value, "backend ")
    }
}

extension Pane {
    /// Every key the pane binds.
    static var keyList: [Key] { bindings.flatMap(\.keys) }
}
