import Foundation
@testable import PackKit

/// A MiniLM model's `model.safetensors` (memory-mapped; fp16/bf16 tensors widened): a file that opens must give
/// every tensor it lists at its listed shape.
enum SafeTensorsTarget {
    static let safetensors = FuzzTarget(
        name: "safetensors",
        summary: "SafeTensorsFile(path:) and floats(_:shape:) of every tensor listed; each tensor lies inside the file",
        maxLength: 4 << 10,
        dictionary: "binary-offsets"
    ) { input in
        let path = ScratchFolder.write(input, as: "model.safetensors")
        guard let file = try? SafeTensorsFile(path: path) else { return }
        for (name, entry) in file.entries {
            require(entry.begin >= 8 && entry.begin <= entry.end && entry.end <= input.count,
                    "tensor \(name) at \(entry.begin)..<\(entry.end) of a \(input.count)-byte file")
            guard let tensor = try? file.floats(name, shape: entry.shape) else { continue }
            require(tensor.count == entry.shape.reduce(1, *), "tensor \(name): \(tensor.count) floats for shape \(entry.shape)")
            var sum: Float = 0
            for i in 0..<tensor.count { sum += tensor.pointer[i] }
            _ = sum
        }
    }
}
