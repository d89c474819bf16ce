import Foundation

/// The processes of one job and the collective operations data-parallel training needs. A plain
/// run is one process (`LocalProcess`); under `mpirun` it is `MPICommunicator`.
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sum over all processes, in place, identical on every process.
    func sum(_ values: inout [Float]) throws
    func sum(_ values: inout [Double]) throws
    /// Every process's values, in rank order, on every process.
    func allGather(_ values: [Float]) throws -> [[Float]]
    /// Every process's bytes, in rank order, on rank 0 (nil elsewhere).
    func gather(_ bytes: Data) throws -> [Data]?
    /// Waits for every process.
    func barrier() throws
    /// Ends the whole job (a failure on one process must not leave the others waiting).
    func abort(code: Int32) -> Never
}

extension Communicator {
    public var isRoot: Bool { rank == 0 }

    /// The positions of `count` items this process takes: rank, rank + size, rank + 2·size, …
    public func share(of count: Int) -> [Int] { Array(stride(from: rank, to: count, by: size)) }

    /// A contiguous shard of `count` items: ranks take nearly equal runs in rank order.
    public func shard(of count: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}

/// One process alone: the collectives do nothing.
public final class LocalProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: inout [Float]) throws {}
    public func sum(_ values: inout [Double]) throws {}
    public func allGather(_ values: [Float]) throws -> [[Float]] { [values] }
    public func gather(_ bytes: Data) throws -> [Data]? { [bytes] }
    public func barrier() throws {}
    public func abort(code: Int32) -> Never { exit(code) }
}
