// JSONValue is part of PackKit's API (manifests, configs, the jobs block): re-exported so users need not import JSONKit.
@_exported import JSONKit
