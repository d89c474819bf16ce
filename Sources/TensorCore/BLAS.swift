import CBLAS

/// The one door to OpenBLAS: thread control and row-major single-precision GEMM.
public enum BLAS {
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    /// The kernel family OpenBLAS picked for this CPU at load time (e.g. "Haswell", "Cooperlake").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// C = alpha·op(A)·op(B) + beta·C, row-major; op transposes when asked. A is M×K after op,
    /// B is K×N after op, C is M×N with leading dimension ldc.
    @inlinable
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        ExitGuard.install()
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty product: C = beta·C, and beta = 0 must not propagate garbage from C.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
