/// Matrix products, all through `cblas_sgemm`.
public enum MatMul {
    /// Rows and columns of a rank-2 operand after an optional transpose.
    static func dims(_ t: Tensor, _ transposed: Bool) -> (rows: Int, cols: Int) {
        transposed ? (t.shape[1], t.shape[0]) : (t.shape[0], t.shape[1])
    }
}

/// op(a)·op(b) for rank-2 operands; for rank-3 `a` ([B, M, K]) the product is batched, with `b`
/// either rank-3 (one matrix per batch entry) or rank-2 (shared by every entry).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    switch (a.rank, b.rank) {
    case (2, 2):
        let (m, k) = MatMul.dims(a, transposeA)
        let (k2, n) = MatMul.dims(b, transposeB)
        check(k == k2, "matmul: inner dimensions differ, \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        var c = Tensor(uninitialized: [m, n])
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                              a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                              c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    case (3, 2) where !transposeA:
        // One large GEMM over all batch rows: it keeps both cores busy.
        let batch = a.shape[0]
        let flat = matmul(a.reshaped([batch * a.shape[1], a.shape[2]]), b, transposeB: transposeB)
        return flat.reshaped([batch, a.shape[1], flat.shape[1]])
    case (3, 2), (3, 3):
        let batch = a.shape[0]
        check(b.rank == 2 || b.shape[0] == batch, "matmul: batch sizes differ, \(a.shape) · \(b.shape)")
        let aDims = (a.shape[1], a.shape[2]), bDims = b.rank == 2 ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[2])
        let (m, k) = transposeA ? (aDims.1, aDims.0) : aDims
        let (k2, n) = transposeB ? (bDims.1, bDims.0) : bDims
        check(k == k2, "matmul: inner dimensions differ, \(a.shape) · \(b.shape)")
        var c = Tensor(uninitialized: [batch, m, n])
        let aStride = a.shape[1] * a.shape[2], bStride = b.rank == 2 ? 0 : bDims.0 * bDims.1
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    // Small products side by side; a large one is split inside `gemm` instead.
                    let perItem = 2 * m * n * k < BLAS.splitThreshold
                    parallelChunks(batch, minPerChunk: perItem ? 1 : batch) { items in
                        for i in items {
                            BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                      a: pa.baseAddress! + i * aStride, lda: a.shape[2],
                                      b: pb.baseAddress! + i * bStride, ldb: bDims.1,
                                      c: pc.baseAddress! + i * m * n, ldc: n, parallel: !perItem)
                        }
                    }
                }
            }
        }
        return c
    default:
        fatalError("matmul: unsupported ranks \(a.shape) · \(b.shape)")
    }
}

/// y = x·Wᵀ + b with PyTorch's layout: `weight` is [out, in], `x` is [..., in], y is [..., out].
/// The bias is copied into the output first and GEMM accumulates onto it (beta = 1).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    check(weight.rank == 2 && x.rank >= 1 && x.shape.last == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape)")
    let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
    let rows = x.shape.dropLast().reduce(1, *)
    var y = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
    y.withUnsafeMutableBufferPointer { py in
        if let bias {
            check(bias.shape == [outFeatures], "linear: bias \(bias.shape) does not match \(outFeatures) outputs")
            bias.withUnsafeBufferPointer { pb in
                for r in 0..<rows { (py.baseAddress! + r * outFeatures).update(from: pb.baseAddress!, count: outFeatures) }
            }
        }
        x.withUnsafeBufferPointer { px in
            weight.withUnsafeBufferPointer { pw in
                BLAS.gemm(transB: true, m: rows, n: outFeatures, k: inFeatures,
                          a: px.baseAddress!, lda: inFeatures, b: pw.baseAddress!, ldb: inFeatures,
                          beta: bias == nil ? 0 : 1, c: py.baseAddress!, ldc: outFeatures)
            }
        }
    }
    return y
}

extension Tape {
    /// Differentiable `matmul` (rank-2, or batched rank-3 as in the kernel).
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let y = TensorCore.matmul(a.value, b.value, transposeA: transposeA, transposeB: transposeB)
        return record(y, inputs: [a, b]) { dy, needs in
            // C = op(A)·op(B): dA = dC·op(B)ᵀ (then undo op), dB = op(A)ᵀ·dC (then undo op).
            var da: Tensor? = nil, db: Tensor? = nil
            if needs[0] {
                if !transposeA {
                    da = TensorCore.matmul(dy, b.value, transposeB: !transposeB)
                } else if a.value.rank == 3 && b.value.rank == 2 {
                    da = transposeLastTwo(TensorCore.matmul(dy, b.value, transposeB: !transposeB))
                } else {
                    da = TensorCore.matmul(b.value, dy, transposeA: transposeB, transposeB: true)
                }
            }
            if needs[1] {
                if b.value.rank == 2 && a.value.rank == 3 && !transposeA {
                    // Shared B: the per-batch contributions sum up in one GEMM over flattened rows.
                    let a2 = a.value.reshaped([-1, a.value.shape[2]]), d2 = dy.reshaped([-1, dy.shape[2]])
                    db = transposeB ? TensorCore.matmul(d2, a2, transposeA: true) : TensorCore.matmul(a2, d2, transposeA: true)
                } else if b.value.rank == 2 && a.value.rank == 3 {
                    let perBatch = transposeB ? TensorCore.matmul(dy, a.value, transposeA: true, transposeB: true)
                                              : TensorCore.matmul(a.value, dy)
                    db = TensorCore.sum(perBatch, axis: 0)
                } else {
                    db = transposeB ? TensorCore.matmul(dy, a.value, transposeA: true, transposeB: transposeA)
                                    : TensorCore.matmul(a.value, dy, transposeA: !transposeA)
                }
            }
            return [da, db]
        }
    }

    /// Differentiable `linear`; frozen weights get no gradient but pass one to the input. The
    /// input is kept for backward only when the weight needs its gradient (dW = dYᵀ·X); through a
    /// frozen weight only dX = dY·W is needed, so a frozen backbone's activations are not held.
    /// `output` says whether the product is computed, already known (a value a recomputed block
    /// kept from its first run) or unread (a recomputed block's last product in its replay):
    /// backward never reads a linear layer's output, so only the graph is recorded then.
    public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil, output: LinearOutput = .computed) -> Variable {
        let shape = Array(x.shape.dropLast()) + [weight.shape[0]]
        let y: Tensor
        switch output {
        case .computed: y = TensorCore.linear(x.value, weight: weight.value, bias: bias?.value)
        case let .known(value):
            check(value.shape == shape, "a known linear output is \(value.shape), the product is \(shape)")
            y = value
        case .unread: y = Tensor(zeros: shape)
        }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let savedInput: Tensor? = weight.requiresGrad ? x.value : nil
        let w = weight.value, xShape = x.shape
        return record(y, inputs: inputs) { dy, needs in
            let outF = w.shape[0], inF = w.shape[1]
            let rows = xShape.dropLast().reduce(1, *)
            let dy2 = dy.reshaped([rows, outF])
            var grads: [Tensor?] = [nil, nil, nil]
            if needs[0] {
                grads[0] = TensorCore.matmul(dy2, w).reshaped(xShape)
            }
            if needs[1], let savedInput {
                grads[1] = TensorCore.matmul(dy2, savedInput.reshaped([rows, inF]), transposeA: true)
            }
            if needs.count > 2 && needs[2] {
                grads[2] = TensorCore.sum(dy2, axis: 0)
            }
            return Array(grads.prefix(inputs.count))
        }
    }
}

/// What `Tape.linear` does for its output value.
public enum LinearOutput {
    case computed
    /// Known from an earlier run of the same computation: only the graph is recorded.
    case known(Tensor)
    /// Read by nobody: only the graph is recorded, and the value is zeros.
    case unread
}

/// Swaps the last two axes (a matrix transpose per leading index), as a copy.
public func transposeLastTwo(_ t: Tensor) -> Tensor {
    check(t.rank >= 2, "transposeLastTwo needs rank ≥ 2, got \(t.shape)")
    let r = t.shape[t.rank - 2], c = t.shape[t.rank - 1], batch = t.count / max(r * c, 1)
    var out = Tensor(uninitialized: Array(t.shape.dropLast(2)) + [c, r])
    t.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for b in 0..<batch {
                let s = src.baseAddress! + b * r * c, d = dst.baseAddress! + b * r * c
                for i in 0..<r { for j in 0..<c { d[j * r + i] = s[i * c + j] } }
            }
        }
    }
    return out
}
