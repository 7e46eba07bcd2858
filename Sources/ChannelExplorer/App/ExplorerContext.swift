import Foundation
import PackKit

/// What the explorer is started with and never changes while it runs.
public struct ExplorerContext: Sendable {
    public var cache: PackCache
    public var config: PackConfig
    public var environment: [String: String]
    /// Where files go (from `environment` unless given).
    public var paths: AppPaths
    /// The job store and RunPod runner; nil when the store cannot be opened (`jobsProblem` says why).
    public var jobs: JobsService?
    public var jobsProblem: String?
    /// Packs named on the command line; the first is opened at once.
    public var packPaths: [String]
    /// Folders whose `.pack` files the picker lists (the bundled samples, the data dir).
    public var packDirectories: [String]
    /// Seconds between refreshes of the job list from the store.
    public var jobsRefreshInterval = 1.0
    public var healthInterval = 15.0

    public init(cache: PackCache, config: PackConfig, environment: [String: String], jobs: JobsService?, jobsProblem: String?,
                packPaths: [String], packDirectories: [String], paths: AppPaths? = nil) {
        self.cache = cache
        self.paths = paths ?? AppPaths(environment: environment)
        self.config = config
        self.environment = environment
        self.jobs = jobs
        self.jobsProblem = jobsProblem
        self.packPaths = packPaths
        self.packDirectories = packDirectories
    }
}
