import TensorCore

extension FineCLIPERModel {
    /// Modality dropout's mask, [clips, width, modalities]: 0 where a clip's modality is dropped.
    /// Each (clip, modality) is drawn from the step's seed and the clip's place in the whole batch,
    /// like drop-path, so shards and reruns agree; a clip that would lose every modality keeps all.
    func modalityMask(rate: Float, seed: UInt64, firstClip: Int, clips: Int, modalities: [Modality], width: Int) -> Tensor {
        let draw = DropPath(rate: rate, seed: seed)
        let m = modalities.count
        var mask = Tensor(zeros: [clips, width, m])
        mask.withUnsafeMutableBufferPointer { out in
            for c in 0..<clips {
                var kept = modalities.map { draw.keeps(site: "fusion." + $0.rawValue, row: firstClip + c) }
                if !kept.contains(true) { kept = Array(repeating: true, count: m) }
                for i in 0..<width { for j in 0..<m where kept[j] { out[(c * width + i) * m + j] = 1 } }
            }
        }
        return mask
    }
}
