import TensorCore

/// Which frames of a clip a model sees.
public enum FrameSampler {
    /// DFER-CLIP's TSN-style sampling for training: `segments` equal segments of the clip and a
    /// random frame in each (uniform in [0, seg) from the segment start); clips shorter than
    /// `segments` give 0…N−1 padded with the last index.
    public static func training(frameCount n: Int, segments: Int = 16, using g: inout SeededGenerator) -> [Int] {
        check(n > 0 && segments > 0, "sampling needs a non-empty clip and at least one segment")
        let seg = n / segments
        if seg > 0 {
            return (0..<segments).map { $0 * seg + g.integer(below: seg) }
        }
        if n > segments {   // unreachable when seg = n / segments, kept as in the reference
            return (0..<segments).map { _ in g.integer(below: n) }.sorted()
        }
        return edgePadded(n, segments)
    }

    /// DFER-CLIP's test sampling: segment centres int(tick/2 + tick·i) with tick = N/segments when
    /// N > segments, else 0…N−1 padded with the last index.
    public static func test(frameCount n: Int, segments: Int = 16) -> [Int] {
        check(n > 0 && segments > 0, "sampling needs a non-empty clip and at least one segment")
        guard n > segments else { return edgePadded(n, segments) }
        let tick = Double(n) / Double(segments)
        return (0..<segments).map { Int(tick / 2 + tick * Double($0)) }
    }

    /// Video-LLaVA's `np.linspace(0, N−1, count, dtype=int)`.
    public static func linspace(frameCount n: Int, count: Int = 8) -> [Int] {
        check(n > 0 && count > 0, "sampling needs a non-empty clip")
        guard count > 1 else { return [0] }
        let step = Double(n - 1) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? n - 1 : Int(Double($0) * step) }
    }

    static func edgePadded(_ n: Int, _ count: Int) -> [Int] {
        (0..<count).map { min($0, n - 1) }
    }
}
