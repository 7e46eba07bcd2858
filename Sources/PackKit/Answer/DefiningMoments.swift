import Foundation

/// Where a channel says what something is. On a channel about dictionaries, "What is a dictionary?" ranks first the
/// moments that use the word most ("we make a dictionary, we read in a line…", "And it even uses the word
/// dictionary."), while the lesson that says what one is ranks seventh or not at all. So for a definition question
/// whose first moment says nothing of what the subject is, the windows holding the subject's words are read for a
/// sentence that defines it (`DefinitionQuestion.definingStrength`), and the best of those lead the evidence.
extension Retriever {
    /// Windows read at most for one question: the ones where the subject weighs most (BM25 of its terms).
    static let definitionWindowsRead = 300

    /// At most `limit` moments (one per video) holding a sentence that says what `definition`'s subject is, best first:
    /// the plainest definition (`definingStrength`), then one in a video whose title names the subject (the lesson
    /// on it), then the earliest in its video (a lesson says what its topic is as it opens). Each is the chunk window
    /// holding the sentence, given `score` (the question's first moment's), so it stands level with retrieval's best.
    /// `scope` limits them to its videos; only definitions plainer than `floor` count (what the first moment says).
    func definingHits(_ definition: DefinitionQuestion, scope: Set<String>?, limit: Int, score: Double,
                      plainerThan floor: Double = 0) throws -> [SearchHit] {
        guard limit > 0, !definition.subject.isEmpty, floor < DefinitionQuestion.plainest else { return [] }
        var candidates = rows(holdingAll: definition.subject)
        if let scope { candidates.removeAll { !scope.contains(chunks.video($0)) } }
        guard !candidates.isEmpty else { return [] }
        if candidates.count > Self.definitionWindowsRead {
            let query = LexicalQuery(terms: definition.subject.map { LexicalQuery.Term(text: $0, weight: 1) })
            let weights = lexical.termScores(query, rows: candidates).map { $0.reduce(0, +) }
            candidates = zip(candidates, weights).sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
                .prefix(Self.definitionWindowsRead).map(\.0).sorted()
        }
        // Overlapping windows of a video are read once, as one span.
        var spans: [(videoID: String, startMs: Int, endMs: Int, rows: [Int])] = []
        let ordered = candidates.sorted { (chunks.video($0), chunks.startMs[$0]) < (chunks.video($1), chunks.startMs[$1]) }
        for row in ordered {
            let videoID = chunks.video(row), start = Int(chunks.startMs[row]), end = Int(chunks.endMs[row])
            if let last = spans.last, last.videoID == videoID, start <= last.endMs {
                spans[spans.count - 1].endMs = max(last.endMs, end)
                spans[spans.count - 1].rows.append(row)
            } else {
                spans.append((videoID, start, end, [row]))
            }
        }
        struct Found { var row: Int; var sentence: TranscriptSentence; var strength: Double }
        var best: [String: Found] = [:]
        for span in spans {
            let covered = try segments(of: span.videoID, from: span.startMs, to: span.endMs)
            // Most windows use the word without a defining verb after it: those are not split into sentences.
            guard definition.mayBeDefined(inLowercased: covered.map { $0.text.lowercased() }.joined(separator: " ")) else { continue }
            let text = SearchHit(videoID: span.videoID, title: "", url: "", startMs: span.startMs, endMs: span.endMs, score: 0, segments: covered)
            for sentence in TranscriptSentence.split(text, moment: 0) where definition.mayBeDefined(inLowercased: sentence.text.lowercased()) {
                guard let strength = definition.definingStrength(of: sentence.text, analyzer: analyzer), strength > floor,
                      let row = span.rows.first(where: { Int(chunks.startMs[$0]) <= sentence.startMs && sentence.endMs <= Int(chunks.endMs[$0]) })
                        ?? span.rows.first(where: { Int(chunks.startMs[$0]) <= sentence.startMs && sentence.startMs < Int(chunks.endMs[$0]) })
                else { continue }
                if let known = best[span.videoID], (known.strength, -known.sentence.startMs) >= (strength, -sentence.startMs) { continue }
                best[span.videoID] = Found(row: row, sentence: sentence, strength: strength)
            }
        }
        let subject = Set(definition.subject)
        var ranked: [(hit: SearchHit, key: Double, startMs: Int)] = []
        for found in best.values {
            let start = Int(chunks.startMs[found.row]), end = Int(chunks.endMs[found.row])
            var hit = try resolve(Moment(videoID: chunks.video(found.row), startMs: start, endMs: end, score: Float(score), chunkRows: [found.row]))
            hit.score = score
            hit.windows = [SearchHit.Window(startMs: start, endMs: end, score: score)]
            let titled = subject.isSubset(of: analyzer.terms(hit.title)) ? Self.titledDefinitionBonus : 0
            ranked.append((hit, found.strength + titled, found.sentence.startMs))
        }
        ranked.sort { ($0.key, -$0.startMs, $0.hit.videoID) > ($1.key, -$1.startMs, $1.hit.videoID) }
        return ranked.prefix(limit).map(\.hit)
    }

    /// What a video whose title names the subject adds to its definition's rank.
    static let titledDefinitionBonus = 0.5
}
