/// What happened to a job, for progress lines in the CLI and notifications in the TUI.
public enum JobEvent: Sendable {
    case submitted(Job)
    /// A poll changed the job's state or explanation.
    case changed(Job)
    /// The summary is saved; deliveries follow.
    case completed(Job)
    case delivered(Job, sink: String, location: String, error: String?)
}
