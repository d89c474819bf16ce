/// Rows of an embedding table: out[b, l] = table[ids[b][l]] for a [V, D] table, giving [B, L, D].
public func embedding(_ table: Tensor, ids: [[Int]]) -> Tensor {
    check(table.rank == 2, "embedding: table must be [V, D], got \(table.shape)")
    let (v, d) = (table.shape[0], table.shape[1])
    let length = ids.first?.count ?? 0
    check(ids.allSatisfy { $0.count == length }, "embedding: id rows differ in length")
    check(ids.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 < v } }, "embedding: an id is outside 0..<\(v)")
    var out = Tensor(uninitialized: [ids.count, length, d])
    table.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for (b, row) in ids.enumerated() {
                for (l, id) in row.enumerated() {
                    (dst.baseAddress! + (b * length + l) * d).update(from: src.baseAddress! + id * d, count: d)
                }
            }
        }
    }
    return out
}

extension Tape {
    /// Differentiable lookup; the table's gradient scatter-adds the output gradient into used rows.
    public func embedding(_ table: Variable, ids: [[Int]]) -> Variable {
        record(TensorCore.embedding(table.value, ids: ids), inputs: [table]) { dy, _ in
            let d = table.shape[1], length = ids.first?.count ?? 0
            var g = Tensor(zeros: table.shape)
            dy.withUnsafeBufferPointer { src in
                g.withUnsafeMutableBufferPointer { dst in
                    for (b, row) in ids.enumerated() {
                        for (l, id) in row.enumerated() {
                            VectorMath.map2(dst.baseAddress! + id * d, src.baseAddress! + (b * length + l) * d,
                                            dst.baseAddress! + id * d, d, +)
                        }
                    }
                }
            }
            return [g]
        }
    }
}
