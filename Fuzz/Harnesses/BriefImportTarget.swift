import Foundation
import PackKit

/// A brief file of an earlier version (`briefs/CHANNEL.json` in the state folder, which anyone may have edited or
/// replaced), imported into the conversation store as opening it does: read once, its pins saved with the channel's
/// conversation, the file renamed `*.migrated`; a file that cannot be read left as it is, named in one warning line.
enum BriefImportTarget {
    static let briefImport = FuzzTarget(
        name: "brief-import",
        summary: "ConversationStore(path:briefs:) importing a brief file; a refused file is kept and named in one warning line, an imported one is renamed and its pins are the conversation's, imported once",
        maxLength: 8 << 10,
        dictionary: "json"
    ) { input in
        let folder = ScratchFolder.emptyFolder("brief-import")
        let briefs = folder + "/briefs"
        let file = briefs + "/UCfuzz.json"
        do { try FileManager.default.createDirectory(atPath: briefs, withIntermediateDirectories: true) } catch {
            return require(false, "cannot make \(briefs): \(error)")
        }
        _ = ScratchFolder.write(input, as: "brief-import/briefs/UCfuzz.json")
        let expected: Brief?
        do throws(Brief.Problem) { expected = try Brief(json: Data(input), file: file) } catch { expected = nil }
        let store: ConversationStore
        do throws(ConversationStore.Problem) { store = try ConversationStore(path: folder + "/conversations.sqlite", briefs: briefs) } catch {
            return require(false, "the store did not open over a brief file: \(error)")
        }
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
        guard let expected else {
            require(store.notes.count == 1 && store.notes[0].hasPrefix(file + ": ") && !store.notes[0].contains("\n"),
                    "a refused brief file not named in one warning line: \(store.notes)")
            return require(exists(file) && !exists(file + ".migrated"), "a refused brief file was moved")
        }
        require(store.notes.isEmpty, "warnings for a brief that reads: \(store.notes)")
        require(!exists(file) && exists(file + ".migrated"), "an imported brief file was not renamed .migrated")
        do throws(ConversationStore.Problem) {
            let conversations = try store.list(channelID: "UCfuzz")
            // Pins already there are kept and the same moment is pinned once: as Brief.add merges them.
            var merged = Brief()
            for pin in expected.pins { merged.add(pin) }
            guard let conversation = conversations.first else {
                return require(merged.pins.isEmpty, "pins imported without a conversation")
            }
            require(conversations.count == 1, "one brief made \(conversations.count) conversations")
            let imported = try store.pins(conversation.id)
            require(imported == merged, "the imported pins differ from the file's")
            // The same file again (restored under its name) is not imported twice.
            try? FileManager.default.moveItem(atPath: file + ".migrated", toPath: file)
            let again = try ConversationStore(path: folder + "/conversations.sqlite", briefs: briefs)
            require(again.notes.isEmpty, "warnings on opening again: \(again.notes)")
            let second = try again.pins(conversation.id)
            require(second == merged, "a brief file was imported twice")
        } catch {
            require(false, "the imported brief could not be read back: \(error)")
        }
    }
}
