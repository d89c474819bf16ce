import Foundation

/// A contiguous, row-major Float32 tensor. A value type: copies share storage until written
/// (copy-on-write), so reshapes and slices along the first axis are views that cost nothing.
public struct Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    @usableFromInline var offset: Int

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        Tensor.checkShape(shape)
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *))
        offset = 0
    }

    /// A tensor whose elements the caller must all write before reading.
    @usableFromInline init(uninitialized shape: [Int]) {
        Tensor.checkShape(shape)
        self.shape = shape
        storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        offset = 0
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(zeros: shape)
        if value != 0 { withUnsafeMutableBufferPointer { $0.update(repeating: value) } }
    }

    /// A tensor with the given elements in row-major order.
    public init(shape: [Int], values: [Float]) {
        Tensor.checkShape(shape)
        check(values.count == shape.reduce(1, *),
                     "\(values.count) values do not fill shape \(shape)")
        self.init(zeros: shape)
        withUnsafeMutableBufferPointer { dst in
            values.withUnsafeBufferPointer { dst.baseAddress!.update(from: $0.baseAddress!, count: values.count) }
        }
    }

    /// A scalar (rank 0).
    public init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    init(shape: [Int], storage: TensorStorage, offset: Int) {
        self.shape = shape
        self.storage = storage
        self.offset = offset
    }

    static func checkShape(_ shape: [Int]) {
        check(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    }

    // MARK: Element access

    /// Read-only access to the elements, contiguous and row-major.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base + offset, count: count))
    }

    /// Write access; copies first when the storage is shared or borrowed.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }

    mutating func makeUnique() {
        if isKnownUniquelyReferenced(&storage) && !storage.isBorrowed { return }
        let n = count
        let fresh = TensorStorage(count: n)
        fresh.base.update(from: storage.base + offset, count: n)
        storage = fresh
        offset = 0
    }

    /// The elements as an array.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// The single value of a one-element tensor.
    public var item: Float {
        check(count == 1, "item() needs a one-element tensor, shape is \(shape)")
        return storage.base[offset]
    }

    /// Element at a multi-index.
    public subscript(_ index: Int...) -> Float {
        get { storage.base[offset + flatIndex(index)] }
        set {
            let i = flatIndex(index)
            makeUnique()
            storage.base[offset + i] = newValue
        }
    }

    /// Element at a position in row-major order, whatever the shape.
    public subscript(flat i: Int) -> Float {
        get {
            check(i >= 0 && i < count, "flat index \(i) out of range for \(count) elements")
            return storage.base[offset + i]
        }
        set {
            check(i >= 0 && i < count, "flat index \(i) out of range for \(count) elements")
            makeUnique()
            storage.base[offset + i] = newValue
        }
    }

    func flatIndex(_ index: [Int]) -> Int {
        check(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            check(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    // MARK: Views

    /// The same elements with another shape; one dimension may be -1 (inferred). Free.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let hole = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            check(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            dims[hole] = count / known
        }
        Tensor.checkShape(dims)
        check(dims.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: dims, storage: storage, offset: offset)
    }

    /// Rows `range` of the first axis, as a view. Free.
    public func rows(_ range: Range<Int>) -> Tensor {
        check(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of range for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [range.count] + shape.dropFirst(), storage: storage,
                      offset: offset + range.lowerBound * inner)
    }

    /// Entry `i` of the first axis, with that axis removed, as a view. Free.
    public func row(_ i: Int) -> Tensor {
        rows(i..<(i + 1)).reshaped(Array(shape.dropFirst()))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = withUnsafeBufferPointer { $0.prefix(8).map { String(format: "%.5g", $0) } }
        return "Tensor(\(shape), [\(head.joined(separator: ", "))\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor: Equatable {
    /// Same shape and bit-identical values (NaN compares unequal, as for Float).
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

/// A shape or argument check that stays in `-Ounchecked` release builds (unlike `precondition`),
/// so a programming error stops with a message instead of reading out of bounds.
@inlinable @inline(__always)
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
