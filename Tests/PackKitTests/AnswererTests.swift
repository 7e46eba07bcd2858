import Foundation
import HTTPTestServer
import XCTest
@testable import PackKit

/// The offline answerer and the evidence a model is given, on small hand-made channels (hash vectors, as
/// `ytce pack build` makes them by default): what leads, what is refused, what is left out, how long it grows.
final class AnswererTests: XCTestCase {
    /// A channel of 3-minute videos, one cue every 3 s. `lines` puts a text at a cue (by index); the other cues
    /// are filler that shares no word with the questions below.
    func makePack(_ lines: [String: [Int: String]], cues: Int = 60) throws -> (ChannelPack, PackCache) {
        try TestSupport.cuePack(lines, cues: cues, in: TestSupport.temporaryDirectory(self)) { _, i in
            "and then the weather report follows as usual, part \(i % 9)."
        }
    }

    func answer(_ question: String, in pack: (ChannelPack, PackCache), settings: AnswerSettings = AnswerSettings()) throws -> Answer {
        let answerer = QuestionAnswerer(pack: pack.0, retriever: try Retriever(pack: pack.0, cache: pack.1), settings: settings)
        return try XCTUnwrap(try answerer.prepare(question, forModel: false).offline)
    }

    static let garden: [String: [Int: String]] = [
        "garden": [20: "Slugs love young lettuce more than anything else in the vegetable patch.",
                   30: "Scatter crushed eggshells around the lettuce to keep slugs away for good.",
                   45: "Tomatoes need a tall stake once the first flowers open."],
        "kitchen": [10: "Knead the bread dough for ten minutes until it springs back.",
                    40: "Let the dough rise in a warm corner of the kitchen."],
        "tools": [25: "Oil the blades of the shears after every use so they do not rust."],
    ]

    /// Speakers often ask the question out loud before answering it: the sentence that answers leads, not the
    /// one that repeats the question's words (spoken first, and quoted first before this change).
    func testTheAnsweringSentenceLeadsAlthoughANeighbourRepeatsTheQuestion() throws {
        var lines = Self.garden
        lines["tuples"] = [20: "So what is the difference between a list and a tuple?",
                           21: "The difference is that a tuple is immutable, while a list can change.",
                           22: "That is all there is to it."]
        let answer = try answer("What is the difference between a list and a tuple?", in: try makePack(lines))
        XCTAssertTrue(answer.isGrounded)
        XCTAssertTrue(answer.text.hasPrefix("The difference is that a tuple is immutable, while a list can change. [tuples @ 01:03-01:05]"), answer.text)
        XCTAssertEqual(answer.sources.first?.citation.videoID, "tuples")
    }

    /// A clipped word ("typos") finds and quotes the moment that says the whole word ("typographical errors"),
    /// though the channel never says "typo".
    func testAClippedWordFindsTheMomentThatSaysTheWholeWord() throws {
        var lines = Self.garden
        lines["proofs"] = [20: "Readers correct typographical errors without noticing them at all.",
                           21: "A printer, though, sets every letter exactly as the proof gives it."]
        // Readers correcting something else, said more often: without "typos" it is the better match.
        lines["letters"] = [20: "Readers correct us, and readers write in; readers correct the dates and readers correct the names."]
        let answer = try answer("Do readers correct typos?", in: try makePack(lines))
        XCTAssertTrue(answer.isGrounded, answer.text)
        XCTAssertEqual(answer.sources.first?.citation.videoID, "proofs", answer.text)
        XCTAssertTrue(answer.text.hasPrefix("Readers correct typographical errors"), answer.text)
    }

    /// A video names its topic in sentence after sentence; the one that answers holds the question's other words.
    /// The topic's words are rarer in the channel (they weigh more by idf), but within the moment most sentences
    /// hold them, so they no longer decide which sentence leads.
    func testTheSentenceWithTheQuestionsDistinguishingWordsLeadsOverTheTopicsName() throws {
        var lines = Self.garden
        lines["sourdough"] = [10: "A sourdough starter is the heart of every sourdough bread.",
                              12: "Feed the sourdough starter with flour every day.",
                              14: "Its sour taste comes from lactic acid bacteria.",
                              16: "Keep the sourdough starter in a glass jar.",
                              18: "A sourdough starter can live for many years.",
                              20: "Sourdough starter doubles in size when it is fed."]
        lines["soup"] = [10: "Taste the soup before you serve it.", 30: "A sour sauce needs a little sugar.",
                         50: "Taste the sauce once more at the end."]
        let pack = try makePack(lines)
        let question = "What gives a sourdough starter its sour taste?"
        let answered = try answer(question, in: pack)
        XCTAssertTrue(answered.text.hasPrefix("Its sour taste comes from lactic acid bacteria."), answered.text)
        var flat = AnswerSettings()
        flat.localTermWeights = false
        let before = try answer(question, in: pack, settings: flat)
        XCTAssertFalse(before.text.hasPrefix("Its sour taste"), before.text)
    }

    /// Where chunk windows are scored by meaning (they carry a similarity), the best window marks where the
    /// moment answers more surely, so a sentence in it gains `semanticWindow` rather than `window` over one that is
    /// not; on a hash pack the window weighs `window` as before.
    func testTheBestWindowWeighsMoreWhereItsScoreCarriesMeaning() {
        let segments = [SearchHit.Segment(id: 1, startMs: 0, endMs: 4000, text: "Slugs eat young lettuce leaves at night."),
                        SearchHit.Segment(id: 2, startMs: 40_000, endMs: 44_000, text: "Slugs hide under lettuce leaves by day.")]
        func gap(similarity: Double?) -> Double {
            let hit = SearchHit(videoID: "garden", title: "Garden", url: "", startMs: 0, endMs: 44_000, score: 1,
                                segments: segments,
                                windows: [.init(startMs: 0, endMs: 20_000, score: 1, similarity: similarity),
                                          .init(startMs: 30_000, endMs: 50_000, score: 0.5, similarity: similarity)])
            let terms = QuestionTerms([.init(text: "slug", weight: 1, idf: 1, known: true),
                                       .init(text: "lettuc", weight: 1, idf: 1, known: true)])
            let candidates = EvidenceJudge().evidence(question: terms, hits: [hit]).candidates
            guard candidates.count == 2 else { XCTFail("\(candidates)"); return 0 }
            XCTAssertEqual(candidates[0].sentence.startMs, 0)
            return candidates[0].score - candidates[1].score
        }
        let settings = AnswerSettings()
        XCTAssertEqual(gap(similarity: nil), settings.weights.window * 0.5, accuracy: 1e-9)
        XCTAssertEqual(gap(similarity: 0.4), settings.weights.semanticWindow * 0.5, accuracy: 1e-9)
        XCTAssertGreaterThan(settings.weights.semanticWindow, settings.weights.window)
    }

    /// A paraphrase shares few words with its answer; on a hash pack meaning cannot vouch for it, but a moment
    /// that retrieval ranks first by a clear margin can.
    func testAParaphraseOnAHashPackIsAnsweredWhenItsMomentClearlyLeads() throws {
        let pack = try makePack(Self.garden)
        // Two of its five content words ("trick", "hungry") are words the channel never says.
        let question = "Which trick keeps hungry slugs off the lettuce?"
        let answered = try answer(question, in: pack)
        XCTAssertTrue(answered.isGrounded, answered.text)
        XCTAssertTrue(answered.text.hasPrefix("Scatter crushed eggshells around the lettuce to keep slugs away for good."), answered.text)
        // The clear lead is what answers it: without it the same evidence is not enough.
        var strict = AnswerSettings()
        strict.clearLead = 2
        XCTAssertFalse(try answer(question, in: pack, settings: strict).isGrounded)
    }

    /// The title of a video retrieval singles out says what all of it is about: "How do I stop channeling in
    /// espresso?" is answered by the passage on channeling in the espresso video, though the passage itself never
    /// says "espresso" (the bundled sample pack refused this question).
    func testTheTitleOfAClearlyLeadingVideoCountsAsPartOfItsPassages() throws {
        func lines(espressoVideo: String) -> [String: [Int: String]] {
            [espressoVideo: [20: "Channeling is when water finds a weak spot in the puck and rushes through it.",
                             40: "The usual fix is better puck prep with a needle tool."],
             "pourover": [10: "Stop pouring once the scale reads three hundred grams."]]
        }
        let question = "How do I stop channeling in espresso?"
        let titled = try makePack(lines(espressoVideo: "espresso"))
        let answered = try answer(question, in: titled)
        XCTAssertTrue(answered.isGrounded, answered.text)
        XCTAssertTrue(answered.text.hasPrefix("Channeling is when water finds a weak spot"), answered.text)
        // Only where retrieval singles the video out.
        var undecided = AnswerSettings()
        undecided.titleLead = 2
        XCTAssertFalse(try answer(question, in: titled, settings: undecided).isGrounded)
        // The same transcripts under a title without the word: one matched word is not evidence enough.
        let untitled = try makePack(lines(espressoVideo: "barista"))
        XCTAssertFalse(try answer(question, in: untitled).isGrounded)
    }

    func testAnOffTopicQuestionIsRefused() throws {
        let pack = try makePack(Self.garden)
        for question in ["What is the tallest mountain in Africa?", "Who painted the ceiling of the Sistine Chapel?",
                         "How should I negotiate a salary offer?"] {
            let refused = try answer(question, in: pack)
            XCTAssertFalse(refused.isGrounded, question)
            XCTAssertEqual(refused.text, ExtractiveAnswerer.nothingRelevant)
            XCTAssertEqual(refused.sources, [])
        }
        // A question whose words are all the channel's is answered, even with a single word.
        XCTAssertTrue(try answer("eggshells", in: pack).isGrounded)
    }

    /// Hesitations and repeats are left out: a sentence of filler is never quoted, a sentence said twice is
    /// quoted once, and an opening "Um," is dropped from the quote.
    func testFillerAndDuplicatesAreDropped() throws {
        let pack = try makePack(["seedlings": [18: "Um, so, yeah.",
                                               19: "Um, water the seedlings every morning before the sun gets hot.",
                                               20: "Um, so, yeah.",
                                               27: "Water the seedlings every morning before the sun gets hot.",
                                               36: "Seedlings want water in the morning, never at night."],
                                 "other": [10: "The weather report is the same every day."]])
        let answer = try answer("When should I water the seedlings?", in: pack)
        XCTAssertTrue(answer.isGrounded)
        XCTAssertFalse(answer.text.contains("yeah"), answer.text)
        XCTAssertFalse(answer.text.contains("Um"), answer.text)
        let quoted = answer.text.components(separatedBy: "Water the seedlings every morning before the sun gets hot.").count - 1
        XCTAssertEqual(quoted, 1, answer.text)
        XCTAssertTrue(answer.text.contains("Seedlings want water in the morning, never at night."), answer.text)
    }

    /// A video's closing lines announce the next one ("Next time, we're heading into espresso territory.") and
    /// share the question's words without saying anything about it: they are never quoted, as the sample pack's
    /// answer to "how fine should I grind for espresso" did.
    func testTrailersThatAnnounceTheNextVideoAreNotQuoted() throws {
        let pack = try makePack(["espresso": [20: "For espresso, grind much finer than you would for a pour-over.",
                                              40: "A budget grinder often cannot go fine enough for espresso."],
                                 "pourover": [10: "Pour the water in three slow pulses over the bed.",
                                              57: "Next time, we're heading into espresso territory: how fine to grind."],
                                 "cleaning": [30: "In the next video we will grind finer for espresso and descale the machine."]])
        let answer = try answer("How fine should I grind for espresso?", in: pack)
        XCTAssertTrue(answer.isGrounded)
        XCTAssertTrue(answer.text.contains("grind much finer"), answer.text)
        XCTAssertFalse(answer.text.contains("Next time"), answer.text)
        XCTAssertFalse(answer.text.contains("next video"), answer.text)
        for trailer in ["Next time, we'll put all of it together.", "So in the next video we'll look at tuples.",
                        "Now let's talk about channeling.", "Thanks for watching, and see you in the lab."] {
            XCTAssertTrue(EvidenceJudge.trails(trailer), trailer)
        }
        for statement in ["Swirl a little more next time.", "Let's look at the output: it's five.",
                          "The next line prints the total.", "Talk to the interpreter as you would to a dog."] {
            XCTAssertFalse(EvidenceJudge.trails(statement), statement)
        }
    }

    /// "What is X?" is answered by the sentence that says what X is ("A tuple is…"), not by the ones that
    /// only use X, although those are where retrieval found the most of it.
    func testADefinitionQuestionLeadsWithTheSentenceThatDefines() throws {
        var lines = Self.garden
        lines["tuples"] = [20: "Tuples show up everywhere in Python code, tuples and more tuples.",
                           21: "You will see tuples in loops, tuples in return values, tuples in dictionaries.",
                           22: "Tuples come back from many functions, so learn your tuples well.",
                           40: "A tuple is a list whose items cannot change once it is made.",
                           50: "Immutable means that a value cannot change after it is made."]
        let pack = try makePack(lines)
        let tuple = try answer("What is a tuple?", in: pack)
        XCTAssertTrue(tuple.text.hasPrefix("A tuple is a list whose items cannot change"), tuple.text)
        let immutable = try answer("What does immutable mean?", in: pack)
        XCTAssertTrue(immutable.text.hasPrefix("Immutable means that a value cannot change"), immutable.text)
        var none = AnswerSettings()
        none.definitionBonus = 0
        none.definingMoments = 0
        XCTAssertFalse(try answer("What is a tuple?", in: pack, settings: none).text.hasPrefix("A tuple is"))
    }

    /// On a channel about the thing, "What is a dictionary?" finds first the moments that use the word most; the
    /// lesson that says what one is, once, is found by reading the windows holding the word for a definition, and
    /// leads. A sentence of another moment that only uses the word is not quoted after it; a scope is kept.
    func testADefinitionQuestionFindsTheMomentThatSaysWhatItIsWhereverItRanks() throws {
        var lines = Self.garden
        lines["looping"] = [20: "We loop over the dictionary, then the dictionary keys, then the dictionary values.",
                            21: "Print the dictionary, sort the dictionary, and copy the dictionary again.",
                            22: "In dictionaries the key is a string, most of the time, in a dictionary."]
        lines["tracks"] = [20: "This file is a dictionary of dictionaries, a dictionary inside a dictionary.",
                           21: "And it even uses the word dictionary, the dictionary word."]
        lines["lesson"] = [40: "If you recall, a dictionary is like a little database in memory."]
        let pack = try makePack(lines)
        let answered = try answer("What is a dictionary?", in: pack)
        XCTAssertTrue(answered.text.hasPrefix("If you recall, a dictionary is like a little database in memory. [lesson @"), answered.text)
        XCTAssertFalse(answered.text.contains("even uses the word"), answered.text)
        var off = AnswerSettings()
        off.definingMoments = 0
        XCTAssertFalse(try answer("What is a dictionary?", in: pack, settings: off).text.hasPrefix("If you recall"))
        let answerer = QuestionAnswerer(pack: pack.0, retriever: try Retriever(pack: pack.0, cache: pack.1))
        let scoped = try answerer.prepare("What is a dictionary?", forModel: false,
                                          context: RetrievalContext(videoIDs: ["looping", "tracks"]))
        XCTAssertFalse(try XCTUnwrap(scoped.offline).text.contains("[lesson @"), "a scope without the lesson keeps it out")
    }

    /// "What does immutable mean?" asks about "immutable": "mean" is how it asks. A passage that says what immutable
    /// is answers it without saying "mean" (the channel's other "mean", an average, is no part of it); it was refused
    /// as holding one of the question's two words.
    func testTheWordsThatFrameADefinitionQuestionAreNotAskedFor() throws {
        var lines = Self.garden
        lines["tuples"] = [20: "Tuples are immutable: once made, nothing inside them can change."]
        lines["stats"] = [10: "The mean of the scores is their average, the sum over the count."]
        let answered = try answer("What does immutable mean?", in: try makePack(lines))
        XCTAssertTrue(answered.isGrounded, answered.text)
        XCTAssertTrue(answered.text.hasPrefix("Tuples are immutable"), answered.text)
        let question = try XCTUnwrap(DefinitionQuestion("What does immutable mean?", analyzer: LexicalAnalyzer()))
        XCTAssertEqual(question.retrievalText("What does immutable mean?"), "What does immutable ?")
        XCTAssertEqual(try XCTUnwrap(DefinitionQuestion("What is a tuple?", analyzer: LexicalAnalyzer())).retrievalText("What is a tuple?"),
                       "What is a tuple?")
    }

    /// A definition says what the subject is with the subject right before "is"; one that opens its clause and
    /// goes on "is a…", "is like…" says it most plainly.
    func testHowPlainlyASentenceDefinesItsSubject() throws {
        let analyzer = LexicalAnalyzer()
        let dictionary = try XCTUnwrap(DefinitionQuestion("What is a dictionary?", analyzer: analyzer))
        XCTAssertNil(dictionary.definingStrength(of: "And in dictionaries the key is a string."))
        XCTAssertEqual(dictionary.definingStrength(of: "A dictionary is like an in-memory database."), 1.5)
        XCTAssertEqual(dictionary.definingStrength(of: "Python dictionaries are probably the thing programmers love most."), 1.0)
        let variable = try XCTUnwrap(DefinitionQuestion("What is a variable?", analyzer: analyzer))
        XCTAssertEqual(variable.definingStrength(of: "We know that a variable is a little piece of memory."), 1.5)
        XCTAssertNil(variable.definingStrength(of: "So we're familiar with what a variable is."), "nothing follows the verb")
        let function = try XCTUnwrap(DefinitionQuestion("What is a function?", analyzer: analyzer))
        XCTAssertEqual(function.definingStrength(of: "Forcing yourself to write a function is kinda pointless."), 0.5)
        XCTAssertEqual(DefinitionQuestion("What are reserved words in Python?", analyzer: analyzer)?.subject, ["reserv", "word"])
        let padding = try XCTUnwrap(DefinitionQuestion("What is padding?", analyzer: analyzer))
        XCTAssertNil(padding.definingStrength(of: "Input IDs hold zero where the padding is applied."), "passive")
        XCTAssertEqual(padding.definingStrength(of: "Padding is called that because it fills the gaps."), 1.5)
        let tokenizer = try XCTUnwrap(DefinitionQuestion("What is a tokenizer?", analyzer: analyzer))
        XCTAssertNil(tokenizer.definingStrength(of: "It knows which tokens are a start of word."), "a token is not a tokenizer")
        XCTAssertEqual(tokenizer.definingStrength(of: "Tokenizers are one of the core parts of the pipeline."), 1.5)
        XCTAssertEqual(try XCTUnwrap(DefinitionQuestion("What are classes?", analyzer: analyzer)).noun, "class")
        // The byte filter that spares a long read from analysing every sentence keeps each definition (found by the
        // `question` fuzz target: a short stem whose last letter the stemmer changed, and typographic apostrophes).
        for (question, sentence) in [("What is a toy?", "A toy is a thing to play with."),
                                     ("What is rock’n’roll?", "Rock’n’roll is a kind of music."),
                                     ("What is a dictionary?", "If you recall, a dictionary is like a database.")] {
            let definition = try XCTUnwrap(DefinitionQuestion(question, analyzer: analyzer))
            XCTAssertNotNil(definition.definingStrength(of: sentence), sentence)
            XCTAssertTrue(definition.mayBeDefined(inLowercased: sentence.lowercased()), sentence)
        }
        XCTAssertFalse(dictionary.mayBeDefined(inLowercased: "we loop over the dictionary keys and print them."))
    }

    func testWhatADefinitionQuestionAsksAbout() throws {
        let analyzer = LexicalAnalyzer()
        XCTAssertEqual(DefinitionQuestion("What is a tuple?", analyzer: analyzer)?.subject, ["tupl"])
        XCTAssertEqual(DefinitionQuestion("what's a list comprehension", analyzer: analyzer)?.subject, ["list", "comprehens"])
        XCTAssertEqual(DefinitionQuestion("What does immutable mean?", analyzer: analyzer)?.subject, ["immut"])
        XCTAssertEqual(DefinitionQuestion("What are data collators, according to the video?", analyzer: analyzer)?.subject, ["data", "collat"])
        XCTAssertEqual(DefinitionQuestion("What is meant by a fast tokenizer?", analyzer: analyzer)?.subject, ["fast", "token"])
        XCTAssertNil(DefinitionQuestion("What is the best grind for espresso and why does it matter so much to the taste?", analyzer: analyzer))
        XCTAssertNil(DefinitionQuestion("How does a tuple differ from a list?", analyzer: analyzer))
        let tuple = try XCTUnwrap(DefinitionQuestion("What is a tuple?", analyzer: analyzer))
        XCTAssertTrue(tuple.isDefined(by: "So a tuple is a list that cannot change."))
        XCTAssertTrue(tuple.isDefined(by: "Tuples are like lists, but immutable."))
        XCTAssertFalse(tuple.isDefined(by: "We return a tuple, and the caller unpacks it."))
        XCTAssertFalse(tuple.isDefined(by: "What is a tuple?"), "asking is not defining")
    }

    /// About three sentences and at most `maxWords` words (80 by default), whatever the moment holds; a first
    /// sentence longer than that is cut.
    /// A follow-up asks about what surrounds what was just read: a sentence next to the span the previous answer
    /// quoted outranks a better worded one further away, and the quoted sentence itself gains nothing.
    func testAFollowUpPrefersWhatSurroundsThePreviousQuote() throws {
        var lines = Self.garden
        lines["garden"]?[34] = "A saucer of beer catches them overnight: the cheapest trap."
        lines["garden"]?[55] = "The cheapest trap that catches them overnight is a saucer of beer, I find."
        let pack = try makePack(lines)
        let answerer = QuestionAnswerer(pack: pack.0, retriever: try Retriever(pack: pack.0, cache: pack.1))
        let question = "Which cheapest trap catches them overnight with beer?"
        func lead(_ context: RetrievalContext) throws -> Citation? {
            try XCTUnwrap(try answerer.prepare(question, forModel: false, context: context).offline).sources.first?.citation
        }
        XCTAssertEqual(try lead(RetrievalContext()), Citation(videoID: "garden", startMs: 165_000, endMs: 167_900),
                       "without a thread the better worded sentence leads")
        // The previous answer quoted the eggshells sentence (cue 30, 01:30-01:33) of the garden video.
        var followUp = RetrievalContext()
        followUp.threadSpans = [Citation(videoID: "garden", startMs: 90_000, endMs: 92_900)]
        XCTAssertEqual(try lead(followUp), Citation(videoID: "garden", startMs: 102_000, endMs: 104_900))
        // Nearness: none for what was quoted, most right beside it, none a minute away.
        let span = [Citation(videoID: "garden", startMs: 90_000, endMs: 93_000)]
        func near(_ start: Int, _ video: String = "garden") -> Double {
            EvidenceJudge.nearness(of: TranscriptSentence(text: "x", startMs: start, endMs: start + 3_000, segmentIDs: [], moment: 0, index: 0),
                                   videoID: video, to: span, reachMs: 60_000)
        }
        // A neighbour that holds none of the question's words gains nothing: near is not enough.
        let segments = [SearchHit.Segment(id: 1, startMs: 94_000, endMs: 97_000, text: "Then the weather report follows as usual."),
                        SearchHit.Segment(id: 2, startMs: 97_000, endMs: 100_000, text: "Beer traps catch slugs overnight in the garden.")]
        let hit = SearchHit(videoID: "garden", title: "Garden", url: "", startMs: 94_000, endMs: 100_000, score: 1, segments: segments,
                            windows: [.init(startMs: 90_000, endMs: 110_000, score: 1, similarity: nil)])
        let terms = QuestionTerms([.init(text: "beer", weight: 1, idf: 1, known: true), .init(text: "slug", weight: 1, idf: 1, known: true)])
        let judged = EvidenceJudge().evidence(question: terms, hits: [hit], thread: span).candidates
        XCTAssertEqual(judged.first { $0.sentence.startMs == 94_000 }?.threadBonus, 0, "\(judged)")
        XCTAssertGreaterThan(judged.first { $0.sentence.startMs == 97_000 }?.threadBonus ?? 0, 0, "\(judged)")
        XCTAssertEqual(near(90_000), 0)
        XCTAssertEqual(near(93_000), 1)
        XCTAssertEqual(near(123_000), 0.5, accuracy: 1e-9)
        XCTAssertEqual(near(200_000), 0)
        XCTAssertEqual(near(93_000, "pub"), 0)
    }

    /// When retrieval scores a second moment nearly as high as the first, it could not tell them apart: the answer
    /// quotes that moment's best sentence too, although it says less of the question than the lead. A second
    /// moment that trails clearly is left out, as before.
    func testAMomentRankedNearlyAsHighAsTheFirstIsQuotedToo() {
        func hit(_ video: String, score: Double, _ text: String) -> SearchHit {
            SearchHit(videoID: video, title: video, url: "", startMs: 0, endMs: 10_000, score: score,
                      segments: [.init(id: 1, startMs: 0, endMs: 4000, text: text)],
                      windows: [.init(startMs: 0, endMs: 10_000, score: score, similarity: nil)])
        }
        func candidate(_ hit: SearchHit, moment: Int, score: Double, coverage: Double) -> AnswerEvidence.Candidate {
            let text = hit.segments[0].text
            return .init(sentence: TranscriptSentence(text: text, startMs: 0, endMs: 4000, segmentIDs: [1], moment: moment, index: 0),
                         score: score, coverage: coverage, similarity: nil, terms: Set(LexicalAnalyzer().terms(text)))
        }
        func cited(secondScore: Double) -> [String] {
            let hits = [hit("lettuce", score: 1, "Crushed eggshells around the lettuce keep the slugs away."),
                        hit("pond", score: secondScore, "Frogs from the garden pond eat slugs at night.")]
            let evidence = AnswerEvidence(candidates: [candidate(hits[0], moment: 0, score: 1, coverage: 0.9),
                                                       candidate(hits[1], moment: 1, score: 0.3, coverage: 0.2)],
                                          answers: true)
            return ExtractiveAnswerer().answer(evidence, hits: hits).sources.map(\.citation.videoID)
        }
        XCTAssertEqual(cited(secondScore: 0.95), ["lettuce", "pond"])
        XCTAssertEqual(cited(secondScore: 0.7), ["lettuce"])
    }

    func testTheLengthCapHolds() throws {
        let long = "The sourdough starter needs flour and water every day, and the flour should be rye or whole wheat, and the water should be warm, and the jar should stay loosely covered on the kitchen counter"
        var lines: [Int: String] = [:]
        for i in stride(from: 2, to: 58, by: 5) { lines[i] = "\(long) number \(i)." }
        let pack = try makePack(["starter": lines, "other": [5: "The weather report is the same every day."]])
        let question = "How do I feed a sourdough starter with flour and water?"
        let full = try answer(question, in: pack)
        XCTAssertTrue(full.isGrounded)
        XCTAssertLessThanOrEqual(EvaluationSet.wordCount(full.text), 80, full.text)
        XCTAssertLessThanOrEqual(CitationParser.citations(in: full.text).count, 3)
        var short = AnswerSettings()
        short.maxWords = 20
        let cut = try answer(question, in: pack, settings: short)
        XCTAssertEqual(EvaluationSet.wordCount(cut.text), 20, cut.text)
        XCTAssertTrue(cut.text.contains("…"), cut.text)
        XCTAssertEqual(cut.sources.count, 1)
    }

    /// A model is given spans of at most a minute around the best sentences, each with its own citation, within
    /// the token budget, although the moment they come from runs for minutes; its citation of one of them is
    /// checked against that span and points at those lines only.
    func testModelEvidenceSpansStayWithinTheCap() async throws {
        var lines: [Int: String] = [:]
        for i in 0..<100 { lines[i] = "The espresso grind should be fine, finer than for filter coffee, step \(i)." }
        let pack = try makePack(["espresso": lines, "other": [5: "The weather report is the same every day."]], cues: 100)
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { request in
            // The model cites the first evidence line it was given.
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            return .json(JSONValue.serialize(.object(["choices": .array([.object([
                "message": .object(["role": .string("assistant"), "content": .string("Grind it fine \(cited).")]),
                "finish_reason": .string("stop")])])])))
        }
        let config = try PackConfig.parse(Data("""
            {"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\(server.baseURL)"}},
             "answer": {"evidence_tokens": 400, "evidence_span_sec": 60}}
            """.utf8), file: "c.json")
        let settings = try LLMSettings.resolve(config.llm, file: "c.json")
        let model = AnswerModel(client: try XCTUnwrap(LLMClients.make(settings, environment: [:])), settings: settings)
        let answerer = QuestionAnswerer(pack: pack.0, retriever: try Retriever(pack: pack.0, cache: pack.1), settings: config.answer)
        let result = try await answerer.ask("How fine should the espresso grind be?", model: model)

        let body = try JSONValue.parse(Data(try XCTUnwrap(server.requests(to: "/chat/completions").first).body))
        let prompt = try XCTUnwrap(body["messages"]?.arrayValue?.last?["content"]?.stringValue)
        let evidence = prompt.components(separatedBy: "Evidence snippets (verbatim transcript excerpts):\n").last?
            .components(separatedBy: "\n\n").first?.split(separator: "\n").map(String.init) ?? []
        XCTAssertGreaterThan(evidence.count, 1, prompt)
        var tokens = 0
        for line in evidence {
            let citation = try XCTUnwrap(CitationParser.citations(in: line).first, line)
            XCTAssertTrue(line.hasPrefix(citation.citation.description), "each line opens with its own citation: \(line)")
            // Written in whole seconds: a span of 60 s may read as 61.
            XCTAssertLessThanOrEqual(citation.citation.endMs - citation.citation.startMs, 61_000, line)
            tokens += LLMAnswerer.estimateTokens(line + "\n")
        }
        XCTAssertLessThanOrEqual(tokens, 400)
        // The model's citation is supported and points at the lines of its span, not at the whole moment.
        XCTAssertEqual(result.invented, [])
        let source = try XCTUnwrap(result.sources.first)
        XCTAssertLessThanOrEqual(source.segmentIDs.count, 21, "a minute of 3 s cues")
        XCTAssertGreaterThan(result.hits.first.map { $0.endMs - $0.startMs } ?? 0, 120_000, "the moment itself is long")
    }
}

/// How `eval --answers` judges an answer against gold spans.
final class AnswerJudgementTests: XCTestCase {
    func testJudgementAndReport() {
        let set = EvaluationSet(channel: "c", metricNote: "", questions: [
            .init(id: "q1", kind: "keyword", text: "?", gold: [.init(videoID: "v", startMs: 60_000, endMs: 80_000)]),
            .init(id: "q2", kind: "paraphrase", text: "?", gold: [.init(videoID: "v", startMs: 0, endMs: 10_000)])])
        // 89 s is within 10 s of the gold span's end; 95 s is not.
        let near = Citation(videoID: "v", startMs: 89_000, endMs: 92_000), far = Citation(videoID: "v", startMs: 95_000, endMs: 99_000)
        let text = "One two three [v @ 01:35-01:39] four five. [v @ 01:29-01:32]"
        let first = set.judge(set.questions[0], text: text, citations: [far, near], grounded: true)
        XCTAssertEqual(first, AnswerJudgement(answered: true, citesGold: true, firstIsGold: false, citations: 2, goldCitations: 1, words: 5))
        let refused = set.judge(set.questions[1], text: ExtractiveAnswerer.nothingRelevant, citations: [], grounded: false)
        XCTAssertEqual(refused, AnswerJudgement(answered: false, citesGold: false, firstIsGold: false, citations: 0, goldCitations: 0, words: 0))
        let report = AnswerReport(kinds: ["keyword", "paraphrase"], judgements: [first, refused], offTopicAnswered: [false, true, false, false])
        XCTAssertEqual(report.overall.answered, 0.5)
        XCTAssertEqual(report.overall.citesGold, 0.5)
        XCTAssertEqual(report.overall.firstIsGold, 0)
        XCTAssertEqual(report.overall.precision, 0.5)
        XCTAssertEqual(report.overall.meanWords, 5)
        XCTAssertEqual(report.byKind["paraphrase"]?.answered, 0)
        XCTAssertEqual(report.offTopicAnswered, 0.25)
    }
}
