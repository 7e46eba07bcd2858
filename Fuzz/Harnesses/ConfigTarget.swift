import Foundation
@testable import JobKit
import PackKit

/// The config file (`--config`, `~/.config/ytce/config.json`): its shape, then the LLM and jobs settings resolved
/// from it as `ytce` resolves them. Every problem is one message naming the file.
enum ConfigTarget {
    static let config = FuzzTarget(
        name: "config",
        summary: "PackConfig.parse, LLMSettings.resolve, JobSettings.resolve; problems name the file, settings that resolve are in range",
        maxLength: 4 << 10,
        dictionary: "json"
    ) { input in
        let file = "fuzz-config.json"
        let config: PackConfig
        do throws(PackConfig.Problem) { config = try PackConfig.parse(Data(input), file: file) } catch {
            return require(error.file == file, "a config problem names \(error.file)")
        }
        if let llm = try? LLMSettings.resolve(config.llm, file: file) {
            require(llm.maxNewTokens < llm.contextTokens, "llm max_new_tokens \(llm.maxNewTokens) >= context_tokens \(llm.contextTokens)")
        }
        do throws(JobSettings.Problem) {
            let jobs = try JobSettings.resolve(config.jobs, file: file, environment: [:])
            require(jobs.maxNewTokens >= 1 && jobs.maxNewTokens < jobs.contextTokens, "jobs max_new_tokens \(jobs.maxNewTokens), context_tokens \(jobs.contextTokens)")
            require(jobs.pollInterval >= 0.1 && jobs.maxWait >= 1, "jobs poll interval \(jobs.pollInterval), max wait \(jobs.maxWait)")
            require(jobs.promptTemplate.contains("{transcript}"), "a prompt template without {transcript}")
        } catch {
            require(error.description.hasPrefix(file + ":"), "a jobs problem that does not name the file: \(error)")
        }
    }

}
