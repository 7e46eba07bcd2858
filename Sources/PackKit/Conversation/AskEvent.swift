/// What a conversation reports while it answers one question, in this order: how it searched (a model's
/// standalone rewrite of a follow-up, or the earlier turn folded in offline), the evidence found, the answer's
/// text as it is written (`delta`, from a model's first citation on: a draft that cites nothing is held back and,
/// when the model is asked again, discarded: `draftDiscarded`),
/// notes, and last the finished answer.
public enum AskEvent: Sendable {
    /// The words retrieval searched for, when they differ from the question's ("searching for: …").
    case searching(String)
    /// The question was read as a follow-up of an earlier one, whose terms were folded in.
    case followingOn(String)
    case evidence([SearchHit])
    case delta(String)
    case draftDiscarded
    case note(String)
    case finished(AskResult)
}
