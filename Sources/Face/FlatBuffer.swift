/// Just enough of the FlatBuffers wire format to read TFLite models: tables found through their
/// vtables, scalars, vectors, strings and nested tables. Every offset is bounds-checked, so a
/// corrupt file gives a `FlatBuffer.Error`, not a crash.
struct FlatBuffer {
    let bytes: UnsafeRawBufferPointer

    struct Error: Swift.Error, CustomStringConvertible {
        let reason: String
        var description: String { "malformed FlatBuffer: \(reason)" }
    }

    struct Table {
        let buffer: FlatBuffer
        let position: Int
        let vtable: Int
        let vtableSize: Int
    }

    func u8(_ p: Int) throws -> UInt8 {
        guard p >= 0 && p < bytes.count else { throw Error(reason: "offset \(p) outside the file") }
        return bytes[p]
    }

    func u16(_ p: Int) throws -> UInt16 {
        guard p >= 0 && p + 2 <= bytes.count else { throw Error(reason: "offset \(p) outside the file") }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt16.self))
    }

    func u32(_ p: Int) throws -> UInt32 {
        guard p >= 0 && p + 4 <= bytes.count else { throw Error(reason: "offset \(p) outside the file") }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt32.self))
    }

    func i32(_ p: Int) throws -> Int32 { Int32(bitPattern: try u32(p)) }

    func u64(_ p: Int) throws -> UInt64 {
        guard p >= 0 && p + 8 <= bytes.count else { throw Error(reason: "offset \(p) outside the file") }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self))
    }

    func root() throws -> Table { try table(at: Int(try u32(0))) }

    func table(at p: Int) throws -> Table {
        let vt = p - Int(try i32(p))
        let size = Int(try u16(vt))
        guard size >= 4, vt + size <= bytes.count else { throw Error(reason: "bad vtable at \(vt)") }
        return Table(buffer: self, position: p, vtable: vt, vtableSize: size)
    }
}

extension FlatBuffer.Table {
    /// Position of field `i`, or nil when absent (then the schema default applies).
    func field(_ i: Int) throws -> Int? {
        let slot = 4 + 2 * i
        guard slot + 2 <= vtableSize else { return nil }
        let off = Int(try buffer.u16(vtable + slot))
        return off == 0 ? nil : position + off
    }

    func int(_ i: Int, default d: Int = 0) throws -> Int { try field(i).map { Int(try buffer.i32($0)) } ?? d }
    func uint(_ i: Int, default d: Int = 0) throws -> Int { try field(i).map { Int(try buffer.u32($0)) } ?? d }
    func byte(_ i: Int, default d: Int = 0) throws -> Int { try field(i).map { Int(try buffer.u8($0)) } ?? d }
    func float(_ i: Int, default d: Float = 0) throws -> Float { try field(i).map { Float(bitPattern: try buffer.u32($0)) } ?? d }

    /// Target of an offset field (vector, string or table).
    func indirect(_ i: Int) throws -> Int? {
        guard let p = try field(i) else { return nil }
        return p + Int(try buffer.u32(p))
    }

    func table(_ i: Int) throws -> FlatBuffer.Table? { try indirect(i).map { try buffer.table(at: $0) } }

    /// (start, count, element size) of a vector field.
    func vector(_ i: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let v = try indirect(i) else { return nil }
        let n = Int(try buffer.u32(v))
        guard v + 4 + n * elementSize <= buffer.bytes.count else { throw FlatBuffer.Error(reason: "vector of \(n) runs past the end") }
        return (v + 4, n)
    }

    func ints(_ i: Int) throws -> [Int] {
        guard let (s, n) = try vector(i, elementSize: 4) else { return [] }
        return try (0..<n).map { Int(try buffer.i32(s + 4 * $0)) }
    }

    func floats(_ i: Int) throws -> [Float] {
        guard let (s, n) = try vector(i, elementSize: 4) else { return [] }
        return try (0..<n).map { Float(bitPattern: try buffer.u32(s + 4 * $0)) }
    }

    func int64s(_ i: Int) throws -> [Int64] {
        guard let (s, n) = try vector(i, elementSize: 8) else { return [] }
        return try (0..<n).map { Int64(bitPattern: try buffer.u64(s + 8 * $0)) }
    }

    func tables(_ i: Int) throws -> [FlatBuffer.Table] {
        guard let (s, n) = try vector(i, elementSize: 4) else { return [] }
        return try (0..<n).map { k in
            let p = s + 4 * k
            return try buffer.table(at: p + Int(try buffer.u32(p)))
        }
    }

    func string(_ i: Int) throws -> String? {
        guard let (s, n) = try vector(i, elementSize: 1) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer.bytes[s..<(s + n)]), as: UTF8.self)
    }
}
