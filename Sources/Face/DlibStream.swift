import Foundation
import TensorCore

/// A cursor over dlib's binary serialization: an integer is a control byte (low nibble = number
/// of little-endian bytes that follow, bit 7 = negative) and its bytes; a float is an integer
/// mantissa and an integer exponent (value = m·2^e); containers are a length and their elements.
struct DlibStream {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var position = 0

    struct Error: DomainError {
        let path: String, offset: Int, reason: String
        var kind: FailureKind { .badData }
        var description: String { "\(path): byte \(offset): \(reason) (not a dlib shape_predictor file, or truncated)" }
    }

    func fail(_ reason: String) -> Error { Error(path: path, offset: position, reason: reason) }

    @inline(__always)
    mutating func integer() throws -> Int64 {
        guard position < bytes.count else { throw fail("unexpected end of file") }
        let control = bytes[position]
        let size = Int(control & 0x0F)
        guard size >= 1, size <= 8, control & 0x70 == 0 else { throw fail("bad integer control byte \(control)") }
        guard position + 1 + size <= bytes.count else { throw fail("unexpected end of file") }
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(bytes[position + 1 + i]) << (8 * UInt64(i)) }
        position += 1 + size
        guard value <= UInt64(Int64.max) else { throw fail("integer out of range") }
        return control & 0x80 != 0 ? -Int64(value) : Int64(value)
    }

    /// A non-negative count no larger than `limit` (so a corrupt length cannot allocate absurd memory).
    mutating func count(limit: Int) throws -> Int {
        let n = try integer()
        guard n >= 0, n <= Int64(limit) else { throw fail("length \(n) outside 0…\(limit)") }
        return Int(n)
    }

    @inline(__always)
    mutating func float() throws -> Float {
        let mantissa = try integer(), exponent = try integer()
        guard abs(exponent) < 1100 else { throw fail("float exponent \(exponent) is not finite data") }
        return Float(scalbn(Double(mantissa), Int(exponent)))
    }

    /// A column vector stored as a dlib matrix: −rows, −cols (negated in the current format), values.
    mutating func floatColumn(limit: Int) throws -> [Float] {
        var rows = try integer(), cols = try integer()
        if rows < 0 { rows = -rows }
        if cols < 0 { cols = -cols }
        guard cols == 1 || rows == 1, rows * cols <= Int64(limit) else { throw fail("matrix of \(rows)×\(cols) where a vector was expected") }
        return try (0..<Int(rows * cols)).map { _ in try float() }
    }
}
