/// A similarity of the plane (rotation, uniform scale, translation): z ↦ (a + ib)·(z − from) + to.
/// The least-squares fit taking one point set onto another is Umeyama's without reflection, in
/// closed form: a + ib = Σ conj(p′)·q′ / Σ|p′|² over the centred points.
public struct PointSimilarity: Sendable {
    public let a: Double, b: Double, from: SIMD2<Double>, to: SIMD2<Double>

    public init(a: Double, b: Double, from: SIMD2<Double>, to: SIMD2<Double>) {
        self.a = a; self.b = b; self.from = from; self.to = to
    }

    /// The fit taking `p` onto `q` (pairs in order).
    public init(from p: [SIMD2<Double>], to q: [SIMD2<Double>]) {
        let mp = p.reduce(SIMD2<Double>(), +) / Double(p.count), mq = q.reduce(SIMD2<Double>(), +) / Double(q.count)
        var dot = 0.0, cross = 0.0, norm = 0.0
        for (u, v) in zip(p, q) {
            let s = u - mp, t = v - mq
            dot += s.x * t.x + s.y * t.y; cross += s.x * t.y - s.y * t.x; norm += s.x * s.x + s.y * s.y
        }
        a = dot / max(norm, 1e-12); b = cross / max(norm, 1e-12); from = mp; to = mq
    }

    public func apply(_ x: SIMD2<Double>) -> SIMD2<Double> {
        let d = x - from
        return to + SIMD2(a * d.x - b * d.y, b * d.x + a * d.y)
    }
}
