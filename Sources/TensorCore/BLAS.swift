import CBLAS

/// The one door to OpenBLAS: row-major single-precision GEMM.
///
/// OpenBLAS itself runs single-threaded and large products are split across
/// `Parallelism.threads` here, so one thread pool (libdispatch's) serves every kernel. OpenBLAS's
/// own pool busy-waits for a while after each product, and on this 2-core machine that stole the
/// second core from the Swift kernels that follow (softmax and layer norm ran at one-thread speed
/// with two threads, varying run to run); Debian's 0.3.21 pool can also lose a wake-up (see
/// `ExitGuard`).
public enum BLAS {
    /// The kernel family OpenBLAS picked for this CPU at load time (e.g. "Haswell", "Cooperlake").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// Products below this many floating-point operations are not split (dispatch costs a few µs).
    public static let splitThreshold = 1 << 23

    @usableFromInline static let setUp: Void = {
        openblas_set_num_threads(1)
        ExitGuard.install()
    }()

    /// C = alpha·op(A)·op(B) + beta·C, row-major; op transposes when asked. A is M×K after op,
    /// B is K×N after op, C is M×N with leading dimension ldc. With `parallel`, a large product is
    /// split into row blocks (when M ≥ N) or column blocks of C computed side by side.
    @inlinable
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = true) {
        _ = setUp
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty product: C = beta·C, and beta = 0 must not propagate garbage from C.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            return
        }
        guard parallel && 2 * m * n * k >= splitThreshold && max(m, n) >= 32 else {
            sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Split the larger of A and B, so each thread packs only its share of it; blocks of 8 rows
        // (or columns), at least two blocks per thread.
        let byRows = m >= n ? m >= 32 : n < 32
        let extent = byRows ? m : n
        parallelChunks((extent + 7) / 8, minPerChunk: 2) { blocks in
            let lo = blocks.lowerBound * 8, count = min(extent, blocks.upperBound * 8) - lo
            if byRows {
                sgemm(transA, transB, count, n, k, alpha, transA ? a + lo : a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc)
            } else {
                sgemm(transA, transB, m, count, k, alpha, a, lda, transB ? b + lo * ldb : b + lo, ldb, beta, c + lo, ldc)
            }
        }
    }

    @inlinable
    static func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                      _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
