/// How answers are put together: how many moments are read, how sentences are judged, how long an offline
/// answer may grow and how much evidence a model is given. The `answer` block of a config sets the lengths.
public struct AnswerSettings: Sendable, Equatable {
    /// Moments retrieved for each question.
    public var moments = 8
    /// Moments whose sentences are candidates for the answer.
    public var momentsRead = 5
    /// Moments whose evidence decides whether the question is answered at all.
    public var momentsJudged = 3

    /// Moments the first sentence of an answer may come from: the first, whose lead retrieval measured; a better
    /// sentence of a later moment still joins the answer.
    public var leadMoments = 1
    /// Added to a sentence's score as `rankPrior / (rank + 1)` of its moment.
    public var rankPrior = 0.0

    /// Sentences an offline answer quotes at most.
    public var maxSentences = 3
    /// Words an offline answer holds at most (citations not counted); a longer first sentence is cut.
    public var maxWords = 80
    /// A sentence joins the answer only when it scores at least this share of the first one's score.
    public var minShareOfLead = 0.6
    /// A later moment whose retrieval score is within this share of the first's is quoted too (its best sentence
    /// holding any of the question's words), however little it says next to the lead: retrieval could not tell
    /// the two apart, so the reader sees both. Measured with `ytce eval --answers`: 0.1-0.3 add py4e hash cites
    /// gold 0.65 -> 0.675 (py4e-021, whose answer is the second moment) and change nothing else on the shared
    /// sets but citation precision (py4e hash 0.37 -> 0.37 / 0.36 / 0.34 at 0.1 / 0.15 / 0.3; follow-ups 0.50 -> 0.48);
    /// 0 or 0.05 change nothing.
    public var closeMomentShare = 0.15
    /// Sentences with fewer content words than this are filler ("Um, so, yeah.") and never quoted.
    public var minContentWords = 3
    /// A sentence whose words overlap an already quoted one's this much (Jaccard) adds nothing.
    public var maxOverlap = 0.6
    /// Two sentences of one moment in an answer start at least this far apart.
    public var minGapMs = 20_000

    /// Longest span of transcript a model is given as one piece of evidence.
    public var evidenceSpanMs = 60_000
    /// Tokens of evidence a model is given at most (also bounded by the model's context).
    public var evidenceTokens = 1500

    /// How a sentence is scored: the share of the question's known terms it holds, that share for the sentence
    /// with its neighbours, its cosine similarity with the question (semantic packs), how close its chunk window
    /// came to the moment's best, and its moment's score relative to the first moment's.
    public struct Weights: Sendable, Equatable {
        public var coverage = 1.0
        /// A sentence whose neighbours hold the rest of the question is nearer the heart of the answer than one
        /// that shares the same words alone. Measured with `ytce eval --answers`, nothing else changed: 0.3 adds
        /// hf-course hash [1] is gold 0.725 → 0.75, py4e.minilm cites gold 0.85 → 0.875, hf-course MiniLM [1]
        /// 0.70 → 0.725 and loses nothing; 0.5-1 gain as much or less and cost a citation elsewhere.
        public var passage = 0.3
        public var similarity = 1.0
        public var window = 0.5
        /// The window's weight where the pack's embedder carries meaning: there retrieval's window score blends
        /// meaning with words and places the answer within a moment better than words alone. Measured with
        /// `ytce eval --answers`, nothing else changed (0.5 before, as on hash packs): py4e.minilm cites gold
        /// 0.875 -> 0.925, hf-course MiniLM [1] is gold 0.725 -> 0.75, follow-ups and the one-conversation figures
        /// unchanged; 1.75-2.5 alike, 1-1.5 miss the hf-course gain, 3 costs a follow-up. Hash packs unaffected.
        public var semanticWindow = 2.0
        public var moment = 0.5
        public init() {}
    }
    public var weights = Weights()
    /// Within a moment, a question term weighs less the more of the moment's sentences hold it
    /// (`QuestionTerms.localWeights`): the sentence with the question's distinguishing words leads, not the one
    /// that names the video's topic. Measured with `ytce eval --answers`, no setting fitted: py4e hash cites gold
    /// 0.60 → 0.65, [1] is gold 0.525 → 0.55; hf-course hash [1] 0.70 → 0.725; py4e.minilm [1] 0.70 → 0.725;
    /// hf-course MiniLM unchanged (mean words 59 → 54); nothing refused or answered that was not before. Counting
    /// over all the moments read instead of each one: py4e hash 0.625 / 0.55, py4e.minilm [1] 0.70.
    public var localTermWeights = true
    /// Added to the score of a sentence that says what a definition question asks about ("What is a tuple?" →
    /// "A tuple is…", `DefinitionQuestion`).
    public var definitionBonus = 0.3
    /// For a definition question whose first moment does not say what the subject is, this many moments that do
    /// (from the windows holding its words, `Retriever.definingHits`) lead the evidence; 0 turns the search off.
    public var definingMoments = 2
    /// For a follow-up, a sentence's score and relevance are raised by this share when it stands right next to a
    /// span the previous answer quoted, less the further it is, nothing from `threadReachMs` away: a follow-up
    /// ("Why did they stop letting anyone pull it freely?") asks about what surrounds what was just read.
    /// Measured on py4e.followups.json, cites gold hash / py4e.minilm: 0 gives 0.92 / 0.83; 0.2, 0.3 and 0.5 give
    /// 0.92 / 0.92 (py4e-026-fu), 0.8 0.92 / 0.83; added instead of multiplied it crowded a hash pack's answer
    /// (whose relevance is term coverage alone, 0.1-0.3) with sentences near the old quotes (0.83 / 0.92). Reach
    /// 30-90 s alike, 120 s 0.83 / 0.83. Questions that stand alone, and the 40 py4e questions asked in one
    /// conversation, are unchanged. A sentence holding none of the question's words gains nothing (on the sample
    /// pack "and why does it matter?" after a question on espresso grind led with the pour-over grind sentence
    /// beside the old quote); the figures above hold with that rule.
    public var threadBonus = 0.3
    public var threadReachMs = 60_000
    /// Score factor of a sentence that asks a question or announces a video's topic ("In this video, we'll…").
    public var announcementFactor = 0.5

    /// Similarity of the question with a chunk window of the best moments that counts as evidence by itself
    /// (all-MiniLM-L6-v2: off-topic questions stay below 0.32 on the shared channels, answerable ones reach 0.36).
    public var semanticEvidence = 0.35
    /// Questions with this share of content words the channel never uses (or more) are not answered.
    public var maxUnknownShare = 0.4
    /// Distinct content words of the question one passage must hold.
    public var passageMatches = 3
    /// One fewer suffices when less than this share of the question's content words are unknown to the channel.
    public var maxUnknownShareForFewerMatches = 0.3
    /// Or when the first moment's score leads the second's by this share (`(first - second) / first`), and less
    /// than `maxUnknownShareWithClearLead` of the content words are unknown. Off-topic questions can lead
    /// clearly too (one rare word found once), so this asks for two matched words and stays above what the
    /// shared off-topic questions with two matches reach (0.36).
    public var clearLead = 0.5
    public var maxUnknownShareWithClearLead = 0.5
    /// The first moment's video title counts as part of its passages when the moment leads the second by this
    /// share: retrieval singled the video out, and its title names the topic its sentences leave unsaid. On the
    /// sample pack "how do I stop channeling in espresso" (lead 0.36) is answered by the espresso video's passage
    /// on channeling; "and what grind does it need?" asked alone (lead 0.02) stays refused. The shared sets and
    /// their off-topic refusals are unchanged with it.
    public var titleLead = 0.25

    public init() {}
}
