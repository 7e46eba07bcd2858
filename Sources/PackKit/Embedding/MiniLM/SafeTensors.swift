import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header mapping tensor names to
/// `{dtype, shape, data_offsets}`, then the raw tensor bytes. The file is memory-mapped read-only, so fp32
/// tensors are used in place (pages load on first touch and are shared with the page cache); fp16 and bf16
/// tensors are widened into owned fp32 buffers.
final class SafeTensorsFile: @unchecked Sendable {  // immutable after init; the mapping is read-only
    struct Entry: Sendable {
        var dtype: String
        var shape: [Int]
        var begin: Int  // absolute byte offsets into the file
        var end: Int
    }

    let path: String
    let entries: [String: Entry]
    private let base: UnsafeRawPointer
    private let length: Int

    static let elementSizes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                              "I8": 1, "U8": 1, "BOOL": 1]

    init(path: String) throws(MiniLMError) {
        self.path = path
        let fd: Int32, size: Int
        do { (fd, size) = try InputFile.openRegular(path) } catch { throw MiniLMError("\(path): cannot open (\(error.reason))") }
        defer { close(fd) }
        guard size >= 8 else { throw MiniLMError("\(path): truncated safetensors file (\(size) bytes, no header)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw MiniLMError("\(path): cannot memory-map (\(String(cString: strerror(errno))))")
        }
        let raw = UnsafeRawPointer(mapped)
        do throws(MiniLMError) {
            // Checked as UInt64 first: a corrupt length of 2^63 or more does not fit in an Int.
            let declared = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            guard declared > 0, declared <= 100_000_000, declared <= UInt64(size - 8) else {
                throw MiniLMError("\(path): truncated or corrupt safetensors file (header says \(declared) bytes, file has \(size))")
            }
            let headerLength = Int(declared)
            let header = Data(bytes: raw + 8, count: headerLength)
            let json: JSONValue
            do { json = try JSONValue.parse(header) } catch {
                throw MiniLMError("\(path): safetensors header is not valid JSON (\(error.reason))")
            }
            guard case .object(let tensors) = json else { throw MiniLMError("\(path): safetensors header is not a JSON object") }
            let dataStart = 8 + headerLength
            var entries: [String: Entry] = [:]
            for (name, value) in tensors where name != "__metadata__" {
                guard case .object(let o) = value,
                      let dtype = o["dtype"]?.stringValue,
                      let shape = o["shape"]?.arrayValue?.compactMap(\.intValue),
                      let offsets = o["data_offsets"]?.arrayValue?.compactMap(\.intValue), offsets.count == 2
                else { throw MiniLMError("\(path): tensor '\(name)' lacks dtype, shape or data_offsets in the header") }
                guard shape.allSatisfy({ $0 >= 0 }), shape.count == o["shape"]?.arrayValue?.count else {
                    throw MiniLMError("\(path): tensor '\(name)' has an invalid shape")
                }
                guard let width = Self.elementSizes[dtype] else { throw MiniLMError("\(path): tensor '\(name)' has unknown dtype \(dtype)") }
                let begin = dataStart + offsets[0], end = dataStart + offsets[1]
                guard offsets[0] >= 0, begin <= end else { throw MiniLMError("\(path): tensor '\(name)' has invalid data_offsets \(offsets)") }
                guard end <= size else {
                    throw MiniLMError("\(path): truncated safetensors file: tensor '\(name)' ends at byte \(end) but the file has \(size)")
                }
                // Overflow-checked: a corrupt header may declare absurd shapes.
                var needed = width
                for dimension in shape {
                    let (product, overflow) = needed.multipliedReportingOverflow(by: dimension)
                    guard !overflow else { throw MiniLMError("\(path): tensor '\(name)' has an impossible shape \(shape)") }
                    needed = product
                }
                guard end - begin == needed else {
                    throw MiniLMError("\(path): tensor '\(name)' holds \(end - begin) bytes, its shape \(shape) of \(dtype) needs \(needed)")
                }
                entries[name] = Entry(dtype: dtype, shape: shape, begin: begin, end: end)
            }
            self.entries = entries
        } catch {
            munmap(mapped, size)
            throw error
        }
        base = raw
        length = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The named tensor as fp32, checked against the shape the model expects.
    func floats(_ name: String, shape expected: [Int]) throws(MiniLMError) -> FloatTensor {
        guard let entry = entries[name] else { throw MiniLMError("\(path): tensor '\(name)' is missing") }
        guard entry.shape == expected else {
            throw MiniLMError("\(path): tensor '\(name)' has shape \(entry.shape), expected \(expected)")
        }
        let count = expected.reduce(1, *)
        let source = base + entry.begin
        switch entry.dtype {
        case "F32":
            // In place when aligned (safetensors' header is padded so it usually is), else one copy.
            if Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
                return FloatTensor(pointer: source.assumingMemoryBound(to: Float.self), count: count, owner: self)
            }
            let buffer = OwnedFloats(count: count)
            memcpy(buffer.pointer, source, count * 4)
            return FloatTensor(pointer: UnsafePointer(buffer.pointer), count: count, owner: buffer)
        case "F16":
            let buffer = OwnedFloats(count: count)
            for i in 0..<count { buffer.pointer[i] = Half.toFloat(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            return FloatTensor(pointer: UnsafePointer(buffer.pointer), count: count, owner: buffer)
        case "BF16":
            let buffer = OwnedFloats(count: count)
            for i in 0..<count {
                buffer.pointer[i] = Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
            return FloatTensor(pointer: UnsafePointer(buffer.pointer), count: count, owner: buffer)
        default:
            throw MiniLMError("\(path): tensor '\(name)' is \(entry.dtype); only F32, F16 and BF16 weights load")
        }
    }
}

/// fp32 values of a tensor; `owner` keeps the mapping or the buffer they live in alive.
struct FloatTensor: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let count: Int
    let owner: AnyObject
}

/// A heap buffer of floats freed with its owner (widened fp16 tensors, fused weights).
final class OwnedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }
    deinit { pointer.deallocate() }
}

/// IEEE 754 half precision to single, by bits (no dependence on the platform's Float16 support).
enum Half {
    static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: value = mantissa * 2^-24.
            let value = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -value : value
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Single to half, rounding to nearest even (used by tests to write fp16 model files).
    static func fromFloat(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        var mantissa = bits & 0x7F_FFFF
        if f.isNaN { return sign | 0x7E00 }
        if exponent >= 31 { return sign | 0x7C00 }
        if exponent <= 0 {
            if exponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - exponent)
            var half = mantissa >> shift
            let rest = mantissa & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
            if rest > halfway || (rest == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(exponent) << 10 | (mantissa >> 13)
        let rest = mantissa & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
}
