/// Delaunay triangulation of a small point set (Bowyer–Watson: insert points one by one into a
/// super-triangle, re-triangulating the cavity of triangles whose circumcircle holds the point).
/// Quadratic, which is nothing for the hundred points of a face mesh.
enum Delaunay {
    /// Triangles as index triples into `points`, counter-clockwise in image coordinates' sense.
    static func triangulate(_ points: [SIMD2<Double>]) -> [(Int, Int, Int)] {
        guard points.count >= 3 else { return [] }
        let xs = points.map(\.x), ys = points.map(\.y)
        let lo = SIMD2(xs.min()!, ys.min()!), hi = SIMD2(xs.max()!, ys.max()!)
        let span = max(hi.x - lo.x, hi.y - lo.y, 1) * 20, mid = (lo + hi) / 2
        var all = points + [mid + SIMD2(-span, -span), mid + SIMD2(span, -span), mid + SIMD2(0, span)]
        let n = points.count
        var triangles = [(n, n + 1, n + 2)]
        for (i, p) in points.enumerated() {
            var bad: [(Int, Int, Int)] = [], keep: [(Int, Int, Int)] = []
            for t in triangles { (inCircumcircle(p, all[t.0], all[t.1], all[t.2]) ? { bad.append(t) } : { keep.append(t) })() }
            // The cavity's boundary: edges of bad triangles that no other bad triangle shares.
            var edges: [(Int, Int)] = []
            for t in bad { edges += [(t.0, t.1), (t.1, t.2), (t.2, t.0)] }
            let boundary = edges.filter { e in edges.filter { ($0.0 == e.1 && $0.1 == e.0) || ($0.0 == e.0 && $0.1 == e.1) }.count == 1 }
            triangles = keep + boundary.map { ($0.0, $0.1, i) }
        }
        all.removeAll()
        return triangles.filter { $0.0 < n && $0.1 < n && $0.2 < n }
    }

    /// Whether p lies strictly inside the circumcircle of (a, b, c), for either orientation.
    static func inCircumcircle(_ p: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) -> Bool {
        let (ax, ay) = (a.x - p.x, a.y - p.y), (bx, by) = (b.x - p.x, b.y - p.y), (cx, cy) = (c.x - p.x, c.y - p.y)
        let det = (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay) + (cx * cx + cy * cy) * (ax * by - bx * ay)
        let orientation = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        return orientation > 0 ? det > 0 : det < 0
    }
}
