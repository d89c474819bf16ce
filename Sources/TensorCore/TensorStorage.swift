/// The memory behind one or more tensors: either an allocation of our own, or a read-only window
/// into something that must stay alive (a memory-mapped weight file). Tensors share a storage until
/// one of them is written to, then that one copies (copy-on-write), so views and reshapes are free.
public final class TensorStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int
    /// Keeps borrowed memory alive; `nil` when the storage owns its allocation.
    let owner: AnyObject?

    /// Fresh, zero-filled storage.
    public init(count: Int) {
        check(count >= 0, "negative storage size")
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
        self.count = count
        owner = nil
    }

    /// Storage whose contents are undefined, for kernels that write every element (skips a
    /// zero-filling pass over memory that is about to be overwritten).
    init(uninitializedCount count: Int) {
        check(count >= 0, "negative storage size")
        base = .allocate(capacity: max(count, 1))
        self.count = count
        owner = nil
    }

    /// Storage that borrows `count` floats at `pointer`, which `owner` keeps valid. Never written.
    init(borrowing pointer: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        base = UnsafeMutablePointer(mutating: pointer)
        self.count = count
        self.owner = owner
    }

    /// Whether writes must copy first: borrowed memory is read-only.
    var isBorrowed: Bool { owner != nil }

    deinit {
        if owner == nil { base.deallocate() }
    }
}
