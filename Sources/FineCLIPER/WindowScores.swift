import TensorCore

extension FineCLIPERModel {
    /// Live scores: for each frame t, every visual stream's temporal model on the frames of a
    /// causal window ending at t, fused with the same weights (the description, when the variant
    /// has one, enters as it is), scored like the clip. [clip][frame][class].
    func windowProbabilities(_ streams: [(VisualStream, Tensor)], embeddings: [(Modality, Tensor)], weights: Tensor,
                             positive: Tensor, negative: Tensor, window: Int) -> [[[Float]]] {
        guard let first = streams.first?.1 else { return [] }
        let (b, frames, p) = (first.shape[0], first.shape[1], first.shape[2])
        let t = Tape(recording: false)
        var out = Array(repeating: [[Float]](), count: b)
        for end in 0..<frames {
            let start = max(0, end - window + 1)
            var parts: [Tensor] = []
            for (modality, e) in embeddings {
                if let (s, perFrame) = streams.first(where: { $0.0.rawValue == modality.rawValue }) {
                    let slice = TensorCore.slice(perFrame, axis: 1, start..<(end + 1))
                    let pooled = temporal(s).map { $0(t.constant(slice), tape: t).value } ?? TensorCore.mean(slice, axis: 1)
                    parts.append(l2Normalize(pooled).reshaped([b, p, 1]))
                } else {
                    parts.append(e.reshaped([b, p, 1]))
                }
            }
            let fused = l2Normalize(TensorCore.matmul(concat(parts, axis: 2), weights).reshaped([b, p]))
            let scores = (matmul(fused, positive, transposeB: true) - matmul(fused, negative, transposeB: true)) * (1 / config.temperature)
            let probs = softmax(scores)
            for i in 0..<b { out[i].append(probs.row(i).scalars) }
        }
        return out
    }
}
