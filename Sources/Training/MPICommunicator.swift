import Foundation

/// Open MPI, loaded when a job is started by `mpirun` and not before: the program links no MPI
/// library, so plain runs and the workbench work on machines without it, and only distributed
/// runs need Open MPI (4.x, `libmpi.so.40`) installed. Open MPI's handles (`MPI_COMM_WORLD`,
/// `MPI_FLOAT`, `MPI_SUM`, …) are the addresses of its global objects, found by name like the
/// functions.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    let library: UnsafeMutableRawPointer
    let world, float, double, int, byte, sumOp: UnsafeMutableRawPointer

    typealias Handle = UnsafeMutableRawPointer
    let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    let gatherFn: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    let allgatherFn: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle) -> Int32
    let allgathervFn: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Handle, Handle) -> Int32
    let gathervFn: @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Handle, Int32, Handle) -> Int32
    let barrierFn: @convention(c) (Handle) -> Int32
    let abortFn: @convention(c) (Handle, Int32) -> Int32
    let finalizeFn: @convention(c) () -> Int32

    /// Whether this process was started by Open MPI's launcher with more than one rank.
    public static var launched: Bool {
        Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] ?? "") ?? 1 > 1
    }

    /// The communicator of a job started by `mpirun`, or `LocalProcess` for a plain run.
    public static func current() throws -> Communicator { launched ? try MPICommunicator() : LocalProcess() }

    public init(library name: String = "libmpi.so.40") throws {
        // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols.
        guard let lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
            throw TrainError.distributed("cannot load Open MPI (\(name)): \(String(cString: dlerror())); install openmpi-bin and libopenmpi3 on every node")
        }
        library = lib
        func symbol(_ s: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(lib, s) else { throw TrainError.distributed("\(name) has no \(s): Open MPI 4 is needed") }
            return p
        }
        func function<F>(_ s: String, _: F.Type) throws -> F { unsafeBitCast(try symbol(s), to: F.self) }
        world = try symbol("ompi_mpi_comm_world"); float = try symbol("ompi_mpi_float"); double = try symbol("ompi_mpi_double")
        int = try symbol("ompi_mpi_int"); byte = try symbol("ompi_mpi_byte"); sumOp = try symbol("ompi_mpi_op_sum")
        allreduce = try function("MPI_Allreduce", type(of: allreduce))
        gatherFn = try function("MPI_Gather", type(of: gatherFn))
        gathervFn = try function("MPI_Gatherv", type(of: gathervFn))
        allgatherFn = try function("MPI_Allgather", type(of: allgatherFn))
        allgathervFn = try function("MPI_Allgatherv", type(of: allgathervFn))
        barrierFn = try function("MPI_Barrier", type(of: barrierFn))
        abortFn = try function("MPI_Abort", type(of: abortFn))
        finalizeFn = try function("MPI_Finalize", type(of: finalizeFn))
        let initialize = try function("MPI_Init", (@convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32).self)
        let commRank = try function("MPI_Comm_rank", (@convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32).self)
        let commSize = try function("MPI_Comm_size", (@convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32).self)
        guard initialize(nil, nil) == 0 else { throw TrainError.distributed("MPI_Init failed") }
        var r: Int32 = 0, n: Int32 = 0
        _ = commRank(world, &r); _ = commSize(world, &n)
        rank = Int(r); size = Int(n)
    }

    func check(_ code: Int32, _ what: String) throws {
        guard code == 0 else { throw TrainError.distributed("\(what) failed on rank \(rank) (MPI error \(code))") }
    }

    /// MPI_IN_PLACE in Open MPI.
    var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    public func sum(_ values: inout [Float]) throws {
        let code = values.withUnsafeMutableBytes { allreduce(inPlace, $0.baseAddress, Int32($0.count / 4), float, sumOp, world) }
        try check(code, "summing \(values.count) values")
    }

    public func sum(_ values: inout [Double]) throws {
        let code = values.withUnsafeMutableBytes { allreduce(inPlace, $0.baseAddress, Int32($0.count / 8), double, sumOp, world) }
        try check(code, "summing \(values.count) values")
    }

    public func allGather(_ values: [Float]) throws -> [[Float]] {
        var count = Int32(values.count)
        var counts = [Int32](repeating: 0, count: size)
        let (w, i, f, ag, agv) = (world, int, float, allgatherFn, allgathervFn)
        try check(counts.withUnsafeMutableBytes { (c: UnsafeMutableRawBufferPointer) -> Int32 in ag(&count, 1, i, c.baseAddress, 1, i, w) }, "gathering sizes")
        var offsets = [Int32](repeating: 0, count: size)
        for k in 1..<max(size, 1) { offsets[k] = offsets[k - 1] + counts[k - 1] }
        var all = [Float](repeating: 0, count: max(1, Int(counts.reduce(0, +))))
        let code: Int32 = values.withUnsafeBytes { (s: UnsafeRawBufferPointer) -> Int32 in
            all.withUnsafeMutableBytes { (r: UnsafeMutableRawBufferPointer) -> Int32 in
                counts.withUnsafeBufferPointer { (c: UnsafeBufferPointer<Int32>) -> Int32 in
                    offsets.withUnsafeBufferPointer { (o: UnsafeBufferPointer<Int32>) -> Int32 in
                        agv(s.baseAddress, count, f, r.baseAddress, c.baseAddress, o.baseAddress, f, w)
                    }
                }
            }
        }
        try check(code, "gathering \(values.count) values")
        return (0..<size).map { Array(all[Int(offsets[$0])..<Int(offsets[$0] + counts[$0])]) }
    }

    public func gather(_ bytes: Data) throws -> [Data]? {
        var count = Int32(bytes.count)
        var counts = [Int32](repeating: 0, count: rank == 0 ? size : 1)
        let (w, i, g) = (world, int, gatherFn)
        let sizes: Int32 = counts.withUnsafeMutableBytes { (c: UnsafeMutableRawBufferPointer) -> Int32 in g(&count, 1, i, c.baseAddress, 1, i, 0, w) }
        try check(sizes, "gathering sizes")
        var offsets = [Int32](repeating: 0, count: counts.count)
        for i in counts.indices.dropFirst() { offsets[i] = offsets[i - 1] + counts[i - 1] }
        let total = rank == 0 ? Int(counts.reduce(0, +)) : 0
        var all = [UInt8](repeating: 0, count: max(total, 1))
        let send = [UInt8](bytes)
        let sendCount = Int32(send.count)
        let (wv, b, gv) = (world, byte, gathervFn)
        let code: Int32 = send.withUnsafeBytes { (s: UnsafeRawBufferPointer) -> Int32 in
            all.withUnsafeMutableBytes { (r: UnsafeMutableRawBufferPointer) -> Int32 in
                counts.withUnsafeBufferPointer { (c: UnsafeBufferPointer<Int32>) -> Int32 in
                    offsets.withUnsafeBufferPointer { (o: UnsafeBufferPointer<Int32>) -> Int32 in
                        gv(s.baseAddress, sendCount, b, r.baseAddress, c.baseAddress, o.baseAddress, b, 0, wv)
                    }
                }
            }
        }
        try check(code, "gathering \(bytes.count) bytes")
        guard rank == 0 else { return nil }
        return (0..<size).map { Data(all[Int(offsets[$0])..<Int(offsets[$0] + counts[$0])]) }
    }

    public func barrier() throws { try check(barrierFn(world), "waiting for every rank") }

    public func abort(code: Int32) -> Never {
        _ = abortFn(world, code)
        exit(code)
    }

    deinit { _ = finalizeFn() }
}
