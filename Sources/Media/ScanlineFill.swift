/// Polygon rasterisation by the even-odd rule at pixel centres: the runs of pixels inside, row by
/// row, clipped to a `width` × `height` grid. Parsing maps and synthetic faces both draw with it.
public enum ScanlineFill {
    public static func spans(of polygon: [SIMD2<Double>], width: Int, height: Int, _ body: (_ y: Int, _ xs: ClosedRange<Int>) -> Void) {
        guard polygon.count >= 3, width > 0, height > 0 else { return }
        let ys = polygon.map(\.y)
        let y0 = max(0, Int(ys.min()!.rounded(.down))), y1 = min(height - 1, Int(ys.max()!.rounded(.up)))
        guard y0 <= y1 else { return }
        var crossings: [Double] = []
        for y in y0...y1 {
            let cy = Double(y) + 0.5
            crossings.removeAll(keepingCapacity: true)
            for i in polygon.indices {
                let a = polygon[i], b = polygon[(i + 1) % polygon.count]
                if (a.y <= cy) != (b.y <= cy) { crossings.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x)) }
            }
            crossings.sort()
            for k in stride(from: 0, to: crossings.count - 1, by: 2) {
                let from = max(0, Int((crossings[k] - 0.5).rounded(.up)))
                let to = min(width - 1, Int((crossings[k + 1] - 0.5).rounded(.down)))
                if from <= to { body(y, from...to) }
            }
        }
    }
}
