import Testing
@testable import TensorCore

/// Large products are split into row or column blocks of C over threads; every split must give
/// the product a single call gives (up to rounding), for every transpose and with accumulation
/// onto C.
@Suite struct BLASSplitTests {
    @Test(arguments: [(m: 301, n: 173, k: 257), (m: 67, n: 509, k: 311), (m: 40, n: 40, k: 4000)])
    func splitProductsEqualOneCall(_ shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        #expect(2 * m * n * k >= BLAS.splitThreshold, "the shape must be large enough to be split")
        var g = SeededGenerator(seed: UInt64(m * 7 + n))
        let a = (0..<(m * k)).map { _ in g.uniform(-1, 1) }, b = (0..<(k * n)).map { _ in g.uniform(-1, 1) }
        let c0 = (0..<(m * n)).map { _ in g.uniform(-1, 1) }
        for transA in [false, true] {
            for transB in [false, true] {
                let lda = transA ? m : k, ldb = transB ? k : n
                func run(parallel: Bool) -> [Float] {
                    var c = c0
                    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!, lda: lda,
                                  b: pb.baseAddress!, ldb: ldb, beta: 1, c: pc.baseAddress!, ldc: n, parallel: parallel)
                    } } }
                    return c
                }
                let one = run(parallel: false), split = run(parallel: true)
                let worst = zip(one, split).map { abs($0 - $1) / max(1, abs($0)) }.max()!
                // Blocks may take the kernel's edge paths in other places, which reorders sums:
                // allow the rounding a k-term dot product can carry.
                #expect(worst <= Float(k) * .ulpOfOne, "transA \(transA) transB \(transB): relative difference \(worst)")
            }
        }
    }
}

@Suite struct BLASCoreCheckTests {
    @Test func fallbackKernelsOnAModernCPUAskForTheRightFamily() {
        #expect(BLASCoreCheck.betterCore(current: "Prescott", cpuFlags: ["avx2", "fma", "avx512f", "avx512bw", "avx512_bf16"]) == "Cooperlake")
        #expect(BLASCoreCheck.betterCore(current: "Prescott", cpuFlags: ["avx2", "fma", "avx512f", "avx512bw"]) == "SkylakeX")
        #expect(BLASCoreCheck.betterCore(current: "Nehalem", cpuFlags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASCoreCheck.betterCore(current: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASCoreCheck.betterCore(current: "Cooperlake", cpuFlags: ["avx512_bf16"]) == nil)
    }
}
