import CBLAS
import Foundation

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
        let parts = parallel && 2 * m * n * k >= splitThreshold ? Parallelism.threads : 1
        guard parts > 1 && max(m, n) >= 16 * parts else {
            sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Split the larger of A and B, so each thread packs only its share of it.
        let byRows = m >= n ? m >= 16 * parts : n < 16 * parts
        let extent = byRows ? m : n
        let step = ((extent + parts - 1) / parts + 7) / 8 * 8   // blocks in multiples of 8
        let task = UncheckedSendable((a, b, c))
        DispatchQueue.concurrentPerform(iterations: (extent + step - 1) / step) { part in
            let (a, b, c) = task.value
            let lo = part * step, count = min(extent, lo + step) - lo
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
