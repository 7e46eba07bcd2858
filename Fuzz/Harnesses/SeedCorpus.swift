import Foundation
@testable import PackKit

/// Writes every target's seed inputs (`YTCE_FUZZ_WRITE_SEEDS=DIR ytce-fuzz`, run by `scripts/fuzz`): copied or
/// extracted from the shared fixtures (`../shared`: the channels' captions, the reference packs' members, the eval
/// question sets; never committed here), from the project's test fixtures, sample pack and themes, generated with
/// ytce's own writers (matrices, lexical indexes, zips, packs, safetensors), and the small hand-written seeds
/// committed in `Fuzz/seeds/TARGET/`.
struct SeedCorpus {
    let root: URL
    let output: URL
    private var shared: URL? {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
    private let fm = FileManager.default

    func writeAll() throws {
        try? fm.removeItem(at: output)
        let work = output.appendingPathComponent(".work")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        // Captions, by format (the reader's seeds start with the byte that makes it see the right extension).
        // Of the shared channels' 175 transcripts, every 12th: enough variety of real captions, while the seeds stay
        // quick to replay at the start of every run.
        let channelTranscripts = files(in: ["channels/py4e/transcripts", "channels/hf-course/transcripts"], from: shared)
        let transcripts = files(in: ["Tests/PackKitTests/Fixtures/transcripts", "sample-packs/coffee-lab/transcripts"], from: root)
            + files(in: ["demo_channel/transcripts"], from: shared)
            + channelTranscripts.enumerated().filter { $0.offset % 12 == 0 }.map(\.element)
        let selectors = ["srt": 0, "vtt": 1, "sbv": 2, "json": 3] as [String: UInt8]
        for file in transcripts {
            let ext = file.pathExtension.lowercased()
            guard let selector = selectors[ext], let data = fm.contents(atPath: file.path) else { continue }
            try add("captions", name(file), Data([selector]) + data)
            try add("captions-\(ext)", name(file), data)
        }

        // JSON files of every kind.
        let jsonFiles = files(in: ["themes", "sample-packs/coffee-lab", "Tests/PackKitTests/Fixtures/transcripts"], from: root)
            + files(in: ["eval", "demo_channel", "channels/py4e", "channels/hf-course", "."], from: shared)
        for file in jsonFiles where file.pathExtension == "json" {
            if let data = fm.contents(atPath: file.path) { try add("json", name(file), data) }
        }
        for file in files(in: ["eval"], from: shared) where file.lastPathComponent.hasSuffix(".json") {
            if let data = fm.contents(atPath: file.path) { try add("eval-questions", name(file), data) }
        }
        for folder in [root.appendingPathComponent("sample-packs/coffee-lab")]
            + ["demo_channel", "channels/py4e", "channels/hf-course"].compactMap({ shared?.appendingPathComponent($0) }) {
            guard let channel = fm.contents(atPath: folder.appendingPathComponent("channel.json").path),
                  let videos = fm.contents(atPath: folder.appendingPathComponent("videos.json").path) else { continue }
            try add("channel", folder.lastPathComponent, channel + Data([0]) + videos)
        }
        for file in files(in: ["themes"], from: root) where file.pathExtension == "json" {
            if let data = fm.contents(atPath: file.path) { try add("theme", name(file), data) }
        }

        // Packs: the shipped sample, the reference packs, and small ones built here; their members seed the
        // member parsers.
        var packs = [root.appendingPathComponent("sample-packs/coffee-lab.pack")]
            + files(in: ["reference-packs"], from: shared).filter { $0.pathExtension == "pack" }
        packs += try builtPacks(in: work)
        for pack in packs {
            try addMembers(of: pack, work: work)
            if let data = fm.contents(atPath: pack.path), data.count <= 64 << 10 {
                try add("zip", name(pack), data)
                try add("pack", name(pack), data)
            }
        }
        try addGeneratedMatrices(work: work)
        try addGeneratedLexicalIndexes(work: work)
        try addGeneratedZips(work: work)
        try addGeneratedSafeTensors()
        try addGeneratedBriefs()

        // Hand-written seeds.
        let handWritten = root.appendingPathComponent("Fuzz/seeds")
        for target in (try? fm.contentsOfDirectory(atPath: handWritten.path)) ?? [] {
            for file in files(in: [target], from: handWritten) {
                guard let data = fm.contents(atPath: file.path) else { continue }
                try add(target, "seed-" + file.lastPathComponent, data)
                if target.hasPrefix("captions-"), let selector = selectors[String(target.dropFirst(9))] {
                    try add("captions", "seed-\(target)-" + file.lastPathComponent, Data([selector]) + data)
                }
            }
        }
    }

    // MARK: members of packs

    private func addMembers(of pack: URL, work: URL) throws {
        guard let archive = try? ZipArchiveReader(path: pack.path) else { return }
        for entry in archive.entries where entry.uncompressedSize <= 8 << 20 {
            let member = entry.name
            if member == PackLayout.manifest, let data = try? archive.data(of: entry) {
                try add("manifest", name(pack), data)
                try add("json", name(pack) + "-manifest", data)
            } else if member.hasSuffix(".npy"), let prefix = try? archive.prefix(of: entry, count: 512) {
                try add("npy-header", name(pack) + "-" + (member as NSString).lastPathComponent, prefix)
                if entry.uncompressedSize <= 4 << 10, let data = try? archive.data(of: entry) {
                    try add("npy-matrix", name(pack) + "-" + (member as NSString).lastPathComponent, data)
                }
            } else if member == PackLayout.lexicalIndex, entry.uncompressedSize <= 8 << 10, let data = try? archive.data(of: entry) {
                try add("lexical-index", name(pack), data)
            }
        }
    }

    /// Packs built by ytce from a one-video channel (a few cues of each format), stored and deflated.
    private func builtPacks(in work: URL) throws -> [URL] {
        let input = work.appendingPathComponent("tiny-channel")
        try fm.createDirectory(at: input.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        try Data(#"{"channel_id": "UCfuzz", "title": "Fuzz Channel", "description": "seed"}"#.utf8)
            .write(to: input.appendingPathComponent("channel.json"))
        try Data(#"[{"video_id": "fuzzvideo01", "title": "Brewing coffee", "duration_sec": 95}]"#.utf8)
            .write(to: input.appendingPathComponent("videos.json"))
        let srt = (0..<8).map { i in
            "\(i + 1)\n00:00:\(String(format: "%02d", i * 6)),000 --> 00:00:\(String(format: "%02d", i * 6 + 5)),500\nwater temperature and grind size matter, step \(i)\n"
        }.joined(separator: "\n")
        try Data(srt.utf8).write(to: input.appendingPathComponent("transcripts/fuzzvideo01.srt"))
        var built: [URL] = []
        for compression in PackCompression.allCases {
            let output = work.appendingPathComponent("tiny-\(compression.rawValue).pack")
            let builder = PackBuilder(buildDate: Date(timeIntervalSince1970: 1_767_225_600), compression: compression, workers: 1)
            do {
                _ = try builder.build(input: input, output: output)
                built.append(output)
            } catch {
                FileHandle.standardError.write(Data("ytce-fuzz: note: no built pack among the seeds: \(error)\n".utf8))
            }
        }
        return built
    }

    // MARK: generated files

    private func addGeneratedMatrices(work: URL) throws {
        for (rows, columns) in [(0, 4), (1, 3), (3, 5), (2, 384)] {
            let path = work.appendingPathComponent("m.npy").path
            let writer = try NpyWriter(path: path, columns: columns)
            try writer.append((0..<(rows * columns)).map { Float($0) * 0.25 - 1 })
            try writer.finish()
            if let data = fm.contents(atPath: path) {
                try add("npy-matrix", "generated-\(rows)x\(columns)", data)
                try add("npy-header", "generated-\(rows)x\(columns)", data.prefix(128))
            }
        }
        // Format versions 2 and 3 (4-byte header length), which ytce does not write but reads.
        for version: UInt8 in [2, 3] {
            let dict = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }".utf8)
            var header = NpyHeader.magic + [version, 0]
            let length = UInt32(dict.count + 1)
            header += withUnsafeBytes(of: length.littleEndian, Array.init)
            header += dict + [0x0A]
            let body = [Float](repeating: 0.5, count: 4).withUnsafeBytes(Array.init)
            try add("npy-header", "v\(version)", Data(header))
            try add("npy-matrix", "v\(version)", Data(header + body))
        }
    }

    private func addGeneratedLexicalIndexes(work: URL) throws {
        let documents = [
            ["water", "temperatur", "grind", "size"], ["espresso", "grind", "fine"], [],
            ["coffe", "water", "ratio", "water"], ["python", "list", "dictionari", "loop", "python"],
        ]
        for count in [1, 3, documents.count] {
            let builder = LexicalIndexBuilder()
            for document in documents.prefix(count) { builder.add(terms: document) }
            let path = work.appendingPathComponent("lexical-\(count).bin").path
            try builder.write(to: path)
            if let data = fm.contents(atPath: path) { try add("lexical-index", "generated-\(count)-documents", data) }
        }
    }

    private func addGeneratedZips(work: URL) throws {
        let memberA = work.appendingPathComponent("a.txt"), memberB = work.appendingPathComponent("b.json")
        try Data("hello zip\n".utf8).write(to: memberA)
        try Data(#"{"pack_version": 1}"#.utf8).write(to: memberB)
        for (label, compression) in [("stored", ZipArchiveWriter.Compression.store), ("deflated", .deflate(level: 6))] {
            let path = work.appendingPathComponent("\(label).zip").path
            let writer = try ZipArchiveWriter(path: path)
            try writer.addFile(at: memberA.path, as: "a.txt", compression: compression)
            try writer.addFile(at: memberB.path, as: "dir/b.json", compression: compression)
            try writer.close()
            if let data = fm.contents(atPath: path) { try add("zip", "generated-\(label)", data) }
        }
    }

    private func addGeneratedSafeTensors() throws {
        // (header JSON, data bytes): fp32, fp16 and bf16 tensors, metadata, an empty file, an integer tensor.
        let f32 = [Float](arrayLiteral: 1, -2, 0.5, 3, 4, 5).withUnsafeBytes(Array.init)
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0x00, 0x00]  // 1, -2, 0.5, 0
        let bf16: [UInt8] = [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F, 0x00, 0x00]
        let files: [(String, String, [UInt8])] = [
            ("f32", #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, f32),
            ("f16-bf16", #"{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]}}"#, f16 + bf16),
            ("empty", "{}", []),
            ("i64", #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"s":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}"#,
             [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F]),
        ]
        for (label, header, body) in files {
            var headerBytes = Array(header.utf8)
            while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }  // padded as the format's writers do
            let length = withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init)
            try add("safetensors", label, Data(length + headerBytes + body))
        }
    }

    private func addGeneratedBriefs() throws {
        // As the explorer writes them: empty, and pins with notes, quotes across lines, a moment past an hour.
        let pins = [
            Brief.Pin(videoID: "bN4oY8wJ-s0", title: "Dialing In Espresso", startMs: 110_000, endMs: 118_000,
                      quote: "As we saw in the grind episode,\na couple of clicks can change a lot", note: "compare with grind", pack: "Coffee Lab"),
            Brief.Pin(videoID: "x", title: "", startMs: 0, endMs: 0, quote: "", pack: ""),
            Brief.Pin(videoID: "long-one", title: "Ünïcode \"title\"", startMs: 3_725_000, endMs: 3_790_500, quote: "…", pack: "py4e"),
        ]
        try add("brief", "built-empty.json", Data(JSONValue.serialize(Brief().json).utf8))
        try add("brief", "built-pins.json", Data(JSONValue.serialize(Brief(pins: pins).json).utf8))
        try add("brief-import", "built-empty.json", Data(JSONValue.serialize(Brief().json).utf8))
        try add("brief-import", "built-pins.json", Data(JSONValue.serialize(Brief(pins: pins).json).utf8))
    }

    // MARK: helpers

    /// Regular files directly in each of `folders` (relative to `base`), sorted; none when `base` is nil.
    private func files(in folders: [String], from base: URL?) -> [URL] {
        guard let base else { return [] }
        return folders.flatMap { folder -> [URL] in
            let url = folder == "." ? base : base.appendingPathComponent(folder)
            let names = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            return names.sorted().map { url.appendingPathComponent($0) }.filter {
                var isDirectory: ObjCBool = false
                return fm.fileExists(atPath: $0.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        }
    }

    /// A seed's name: its source folder and file name.
    private func name(_ file: URL) -> String {
        let folder = file.deletingLastPathComponent().lastPathComponent
        return (folder == ".work" ? "built" : folder) + "-" + file.lastPathComponent
    }

    private func add(_ target: String, _ name: String, _ data: Data) throws {
        guard FuzzTarget.named(target) != nil else { return }
        let folder = output.appendingPathComponent(target)
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        try data.write(to: folder.appendingPathComponent(name))
    }
}
