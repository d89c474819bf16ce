import Foundation

/// Collects tensors and writes a safetensors file atomically (temporary file, fsync, rename), so a
/// crash mid-write never leaves a half-written checkpoint under the final name. Tensors are laid
/// out in name order; the header is padded with spaces to an 8-byte boundary so that readers can
/// map F32 data without copying.
public struct SafeTensorsWriter {
    enum Payload {
        case floats(Tensor)
        case halves(Tensor)
        case int64s([Int64], shape: [Int])
    }

    var items: [String: Payload] = [:]
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    public mutating func add(_ name: String, _ tensor: Tensor) {
        check(name != "__metadata__", "\"__metadata__\" is reserved")
        items[name] = .floats(tensor)
    }

    /// Stored as F16 (half the bytes; values rounded to 11 significant bits and saturated at
    /// ±65504, so only for weights known to be in range).
    public mutating func add(_ name: String, half tensor: Tensor) {
        check(name != "__metadata__", "\"__metadata__\" is reserved")
        items[name] = .halves(tensor)
    }

    public mutating func add(_ name: String, int64s values: [Int64], shape: [Int]? = nil) {
        let s = shape ?? [values.count]
        check(name != "__metadata__", "\"__metadata__\" is reserved")
        check(s.allSatisfy { $0 >= 0 } && s.reduce(1, *) == values.count, "\(values.count) integers do not fill shape \(s)")
        items[name] = .int64s(values, shape: s)
    }

    /// The complete file contents.
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = items.keys.sorted()
        for name in names {
            let (dtype, shape, bytes): (String, [Int], Int)
            switch items[name]! {
            case let .floats(t): (dtype, shape, bytes) = ("F32", t.shape, t.count * 4)
            case let .halves(t): (dtype, shape, bytes) = ("F16", t.shape, t.count * 2)
            case let .int64s(v, s): (dtype, shape, bytes) = ("I64", s, v.count * 8)
            }
            header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            switch items[name]! {
            case let .floats(t): t.withUnsafeBufferPointer { out.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
            case let .halves(t): t.scalars.map { Float16($0).bitPattern.littleEndian }.withUnsafeBufferPointer { out.append($0) }
            case let .int64s(v, _): v.map(\.littleEndian).withUnsafeBufferPointer { out.append($0) }
            }
        }
        return out
    }

    /// Writes atomically to `path`.
    public func write(to path: String) throws {
        let data: Data
        do { data = try encoded() } catch {
            throw SafeTensorsError.writeFailed(path: path, reason: "header: \(error.localizedDescription)")
        }
        do { try AtomicFile.write(data, to: path) } catch let e as AtomicFile.WriteError {
            throw SafeTensorsError.writeFailed(path: path, reason: e.reason)
        }
    }
}
