import Foundation

/// C functions of the running process that Swift's Glibc module does not declare (they need `_GNU_SOURCE`, or
/// live in headers it leaves out), found by name; nil where the C library has no such function.
enum CFunction {
    static func named<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
