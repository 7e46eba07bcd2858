import ArgumentParser
import Foundation
import PackKit

/// `pack search` and `pack ask` given several packs: one question, each channel's side named.
enum ComparedPacks {
    static func search(_ query: String, topK: Int, json: Bool, _ options: PackOptions, config: PackConfig) async throws {
        let packs = try await localPacks(options, config: config)
        let cache = try options.cache(config)
        let found: (hits: [PackHit], notes: [String]) = try await compared {
            try await PackComparison.search(query, packs: packs, cache: cache, config: config,
                                            environment: ProcessInfo.processInfo.environment, modelDirectory: options.modelDirectory, topK: topK)
        }
        if json {
            let hits: [JSONValue] = found.hits.map { packHit in
                let hit = packHit.hit
                return .object([
                    "pack": .string(packHit.pack), "video_id": .string(hit.videoID), "title": .string(hit.title), "url": .string(hit.url),
                    "start_ms": .number(Double(hit.startMs)), "end_ms": .number(Double(hit.endMs)),
                    "score": .number((packHit.score * 1e6).rounded() / 1e6), "text": .string(hit.text),
                    "segment_ids": .array(hit.segmentIDs.map { .number(Double($0)) }),
                ])
            }
            var object: [String: JSONValue] = ["hits": .array(hits)]
            if !found.notes.isEmpty { object["notes"] = .array(found.notes.map { .string($0) }) }
            print(JSONValue.serialize(.object(object)))
            return
        }
        for note in found.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        if found.hits.isEmpty { print("No matching moments in these packs.") }
        let snippetTerms = MatchSnippet.terms(query)
        for (i, packHit) in found.hits.enumerated() {
            let hit = packHit.hit
            let citation = Citation(videoID: hit.videoID, startMs: hit.startMs, endMs: hit.endMs)
            print("\(i + 1). [\(packHit.pack)] \(hit.title.isEmpty ? hit.videoID : hit.title)  \(citation)  score \(String(format: "%.4f", packHit.score))")
            print("   \(citation.deepLink(videoURL: hit.url))")
            let snippet = MatchSnippet.excerpt(hit.text, terms: snippetTerms, length: 240)
            print("   \(snippet)\n")
        }
    }

    /// Each pack's answer under its channel's name: offline, or by the config's model (the packs' calls in flight
    /// together), each answer citing its own channel's moments only.
    /// With `together`, one answer whose sources are named by channel (`PackComparison.combine`).
    static func ask(_ question: String, json: Bool, together: Bool, _ options: PackOptions, config: PackConfig, configName: String?) async throws {
        let packs = try await localPacks(options, config: config)
        let cache = try options.cache(config)
        let (sides, engines): ([PackComparison.Side], [AskEngine]) = try await compared {
            let engines = try PackComparison.engines(packs, cache: cache, config: config, environment: ProcessInfo.processInfo.environment,
                                                     modelDirectory: options.modelDirectory, configName: configName ?? "config")
            return (try await PackComparison.ask(question, engines: engines), engines)
        }
        if together { return printCombined(PackComparison.combine(sides, engines: engines), json: json, sides: sides) }
        if json {
            // Checked already: the comparison would have failed on a bad llm block.
            let settings = try? LLMSettings.resolve(config.llm, file: configName ?? "config")
            print(JSONValue.serialize(.object(["packs": .array(sides.map { side in
                var object = PackAskCommand.answerJSON(side.answer, settings: settings)
                object["pack"] = .string(side.label)
                object["path"] = .string(side.path)
                return .object(object)
            })])))
            return
        }
        for (i, side) in sides.enumerated() {
            for note in side.answer.notes { FileHandle.standardError.write(Data("note: \(side.label): \(note)\n".utf8)) }
            print((i > 0 ? "\n" : "") + "== \(side.label) ==")
            print(side.answer.text)
            PackAskCommand.warnInvented(side.answer)
            PackAskCommand.printSources(side.answer.sources)
        }
    }

    static func printCombined(_ combined: PackComparison.Combined, json: Bool, sides: [PackComparison.Side]) {
        if json {
            print(JSONValue.serialize(.object([
                "question": .string(combined.question), "answer": .string(combined.text), "grounded": .bool(combined.isGrounded),
                "sources": .array(combined.sources.map { labelled in
                    let s = labelled.source
                    return .object(["pack": .string(labelled.pack), "video_id": .string(s.citation.videoID), "title": .string(s.title),
                                    "start_ms": .number(Double(s.citation.startMs)), "end_ms": .number(Double(s.citation.endMs)),
                                    "citation": .string(s.citation.description), "url": .string(s.citation.deepLink(videoURL: s.url)),
                                    "excerpt": .string(s.excerpt)])
                }),
                "ranking": .array(combined.ranking.map { .object(["pack": .string($0.pack), "score": .number(($0.score * 1e6).rounded() / 1e6)]) }),
                "notes": .array(combined.notes.map { .string($0) }),
            ])))
            return
        }
        for note in combined.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(combined.text)
        for side in sides { PackAskCommand.warnInvented(side.answer) }
        if !combined.sources.isEmpty { print("\n" + combined.listing) }
        FileHandle.standardError.write(Data("note: \(combined.scoresNote)\n".utf8))
    }

    /// The packs as local paths: an `s3://` one fetched into the cache first, as `pack ask` opens one pack.
    static func localPacks(_ options: PackOptions, config: PackConfig) async throws -> [String] {
        var paths: [String] = []
        for pack in options.packs { paths.append(try await localPack(pack, cache: try options.cache(config))) }
        return paths
    }

    /// Runs the comparison so that Ctrl-C stops it (a model's answers at once); a failure is its one line.
    static func compared<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do { return try await interruptible("interrupted: stopping…", body) } catch let exit as ExitCode { throw exit } catch { throw fail("\(error)") }
    }
}
