import Foundation

/// Element types a safetensors file may hold, and their byte widths.
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8"

    public var byteWidth: Int {
        switch self {
        case .u8: return 1
        case .f16, .bf16: return 2
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        }
    }
}

/// A safetensors file, memory-mapped and validated on open: an 8-byte little-endian header length,
/// a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {String: String}}, then the
/// raw little-endian data. Every declared size and offset is checked against the file before any
/// allocation, so a malformed file yields a `SafeTensorsError`, never a crash.
public struct SafeTensorsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range within the data section.
        public let begin: Int, end: Int
    }

    /// Headers larger than this are rejected (the reference implementation uses the same limit).
    public static let maxHeaderLength = 100_000_000

    public let path: String
    public let metadata: [String: String]
    public let entries: [String: Entry]
    let file: MappedFile
    let dataStart: Int

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        self.path = path
        self.file = file
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw SafeTensorsError.truncated(path: path, size: bytes.count) }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.headerPastEnd(path: path, headerLength: n, fileSize: bytes.count)
        }
        guard n <= UInt64(Self.maxHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(path: path, headerLength: n, limit: Self.maxHeaderLength)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + Int(n))])
        dataStart = 8 + Int(n)
        (entries, metadata) = try Self.parseHeader(headerBytes, path: path, dataSize: bytes.count - dataStart)
    }

    /// Names in file order (by data offset).
    public var names: [String] { entries.sorted { $0.value.begin < $1.value.begin }.map(\.key) }

    public func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else { throw SafeTensorsError.missingTensor(path: path, name: name) }
        return e
    }

    /// The tensor as Float32. Aligned F32 data is borrowed from the mapping without a copy; other
    /// types are converted.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + e.begin)..<(dataStart + e.end)])
        let count = e.shape.reduce(1, *)
        if e.dtype == .f32, count > 0, Int(bitPattern: raw.baseAddress!) % MemoryLayout<Float>.alignment == 0 {
            let storage = TensorStorage(borrowing: raw.baseAddress!.assumingMemoryBound(to: Float.self), count: count, owner: file)
            return Tensor(shape: e.shape, storage: storage, offset: 0)
        }
        var t = Tensor(uninitialized: e.shape)
        t.withUnsafeMutableBufferPointer { dst in
            for i in 0..<count { dst[i] = Self.element(raw, i, e.dtype) }
        }
        return t
    }

    /// An integer tensor's values (I64 or I32) without going through Float.
    public func integers(_ name: String) throws -> [Int64] {
        let e = try entry(name)
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + e.begin)..<(dataStart + e.end)])
        let count = e.shape.reduce(1, *)
        switch e.dtype {
        case .i64: return (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .i32: return (0..<count).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
        default: throw SafeTensorsError.wrongDType(path: path, tensor: name, dtype: e.dtype.rawValue, wanted: "I64 or I32")
        }
    }

    /// How many values of an F64 tensor do not survive the conversion to Float32 (beyond its range,
    /// so they load as ±inf); 0 for other types.
    public func float32Overflows(_ name: String) throws -> Int {
        let e = try entry(name)
        guard e.dtype == .f64 else { return 0 }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + e.begin)..<(dataStart + e.end)])
        let count = e.shape.reduce(1, *)
        var n = 0
        for i in 0..<count {
            let d = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
            if d.isFinite && abs(d) > Double(Float.greatestFiniteMagnitude) { n += 1 }
        }
        return n
    }

    /// A U8 tensor's bytes (images), without going through Float.
    public func bytes(_ name: String) throws -> [UInt8] {
        let e = try entry(name)
        guard e.dtype == .u8 else { throw SafeTensorsError.wrongDType(path: path, tensor: name, dtype: e.dtype.rawValue, wanted: "U8") }
        return Array(file.bytes[(dataStart + e.begin)..<(dataStart + e.end)])
    }

    @inline(__always)
    static func element(_ raw: UnsafeRawBufferPointer, _ i: Int, _ dtype: SafeTensorsDType) -> Float {
        switch dtype {
        case .f32: return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        case .f16: return Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
        case .bf16: return Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
        case .f64: return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
        case .i64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
        case .i32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        case .u8: return Float(raw[i])
        }
    }

    // MARK: Header validation

    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String, dataSize: Int) throws
        -> ([String: Entry], [String: String]) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw SafeTensorsError.headerNotUTF8(path: path) }
        let json: StrictJSON
        do {
            json = try StrictJSON.parse(bytes)
        } catch let e as StrictJSON.SyntaxError {
            throw SafeTensorsError.headerNotJSON(path: path, detail: e.description)
        }
        guard case let .object(members) = json else {
            throw SafeTensorsError.headerNotJSON(path: path, detail: "the top level is not an object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                if value == .null { continue }
                guard case let .object(m) = value else {
                    throw SafeTensorsError.malformedEntry(path: path, tensor: name, reason: "__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard case let .string(s) = v else {
                        throw SafeTensorsError.malformedEntry(path: path, tensor: name, reason: "metadata value for \"\(k)\" is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            entries[name] = try parseEntry(name, value, path: path, dataSize: dataSize)
        }
        // The format requires the tensors to tile the data section exactly: no overlap, no gap,
        // nothing left over (a header one byte short would otherwise shift every tensor).
        let ordered = entries.sorted { ($0.value.begin, $0.value.end) < ($1.value.begin, $1.value.end) }
        var covered = 0
        for (name, e) in ordered {
            if e.begin < covered {
                let previous = ordered.last { $0.value.end > e.begin && $0.key != name }?.key ?? name
                throw SafeTensorsError.overlapping(path: path, first: previous, second: name)
            }
            guard e.begin == covered else { throw SafeTensorsError.gap(path: path, tensor: name, begin: e.begin, expected: covered) }
            covered = e.end
        }
        guard covered == dataSize else { throw SafeTensorsError.uncoveredData(path: path, covered: covered, dataSize: dataSize) }
        return (entries, metadata)
    }

    static func parseEntry(_ name: String, _ value: StrictJSON, path: String, dataSize: Int) throws -> Entry {
        func bad(_ reason: String) -> SafeTensorsError { .malformedEntry(path: path, tensor: name, reason: reason) }
        guard case let .object(members) = value else { throw bad("entry is not an object") }
        let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard case let .string(dtypeName)? = fields["dtype"] else { throw bad("missing or non-string \"dtype\"") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unsupportedDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw bad("\"shape\" is not a list of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw bad("\"data_offsets\" is not a pair of integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw SafeTensorsError.offsetsOutOfRange(path: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        // The element count must fit even when a zero dimension makes the byte count 0, since
        // views compute strides from the other dimensions.
        var bytes = dtype.byteWidth, nonZero = 1
        for d in shape {
            let (p, overflow) = bytes.multipliedReportingOverflow(by: d)
            let (q, overflow2) = nonZero.multipliedReportingOverflow(by: max(d, 1))
            guard !overflow, !overflow2, q <= Int(Int32.max) * 64 else {
                throw SafeTensorsError.sizeOverflow(path: path, tensor: name, shape: shape)
            }
            bytes = p
            nonZero = q
        }
        guard bytes == end - begin else {
            throw SafeTensorsError.byteCountMismatch(path: path, tensor: name, dtype: dtypeName, shape: shape,
                                                     expected: bytes, actual: end - begin)
        }
        return Entry(dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// Integers from a JSON list, rejecting booleans, fractions, strings and values outside Int.
    static func integers(_ value: StrictJSON?) -> [Int]? {
        guard case let .array(items)? = value else { return nil }
        var out: [Int] = []
        for item in items {
            guard let n = item.integer else { return nil }
            out.append(n)
        }
        return out
    }
}
