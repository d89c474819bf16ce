import Foundation

/// Lines drawn with braille dots (2×4 per cell) — loss and accuracy curves. Each series keeps
/// its own colour; the y axis is labelled with the range at the top and bottom row. Without
/// Unicode, a cell holding any dot shows '*'. NaN values break the line.
public enum LineChart {
    public struct Series: Sendable {
        public var label: String
        public var values: [Double]
        public var color: RGB?

        public init(_ label: String, _ values: [Double], color: RGB? = nil) {
            self.label = label; self.values = values; self.color = color
        }
    }

    /// `axis: false` leaves out the range labels (for curves scaled to a common 0…1).
    public static func render(_ series: [Series], into buffer: inout CellBuffer, _ r: Rect, style: Style = Style(),
                              range: ClosedRange<Double>? = nil, axis showsAxis: Bool = true) {
        let finite = series.flatMap(\.values).filter(\.isFinite)
        guard r.height > 0, let lo = range?.lowerBound ?? finite.min(), let hi = range?.upperBound ?? finite.max() else { return }
        let top = label(hi), bottom = label(lo)
        let axis = showsAxis ? max(top.count, bottom.count) + 1 : 0
        if showsAxis {
            buffer.put(top, x: r.x + axis - 1 - top.count, y: r.y, style: style)
            buffer.put(bottom, x: r.x + axis - 1 - bottom.count, y: r.y + r.height - 1, style: style)
        }
        let plot = Rect(x: r.x + axis, y: r.y, width: r.width - axis, height: r.height)
        let (dotsWide, dotsHigh) = (plot.width * 2, plot.height * 4)
        guard dotsWide > 0 else { return }
        var bits = [Int](repeating: 0, count: plot.width * plot.height)
        var owner = [RGB?](repeating: nil, count: plot.width * plot.height)
        for s in series {
            let n = s.values.count
            var previous: (Int, Int)?
            for (i, v) in s.values.enumerated() {
                guard v.isFinite else { previous = nil; continue }
                let x = n == 1 ? 0 : Int((Double(i) * Double(dotsWide - 1) / Double(n - 1)).rounded())
                let t = hi > lo ? (hi - min(hi, max(lo, v))) / (hi - lo) : 0.5
                let y = Int((t * Double(dotsHigh - 1)).rounded())
                for (px, py) in segment(from: previous ?? (x, y), to: (x, y)) {
                    let cell = (py / 4) * plot.width + px / 2
                    bits[cell] |= Braille.bit(px % 2, py % 4)
                    owner[cell] = s.color ?? style.fg
                }
                previous = (x, y)
            }
        }
        for cy in 0..<plot.height {
            for cx in 0..<plot.width where bits[cy * plot.width + cx] != 0 {
                let glyph: Character = buffer.unicode ? Braille.glyph(bits[cy * plot.width + cx]) : "*"
                buffer[plot.x + cx, plot.y + cy] = Cell(glyph, fg: owner[cy * plot.width + cx], bg: style.bg)
            }
        }
    }

    static func label(_ v: Double) -> String { String(format: "%.3g", v) }

    /// The dots of a straight line between two dots (both ends included).
    static func segment(from a: (Int, Int), to b: (Int, Int)) -> [(Int, Int)] {
        let steps = max(abs(b.0 - a.0), abs(b.1 - a.1))
        guard steps > 0 else { return [a] }
        return (0...steps).map { k in
            let f = Double(k) / Double(steps)
            return (a.0 + Int((Double(b.0 - a.0) * f).rounded()), a.1 + Int((Double(b.1 - a.1) * f).rounded()))
        }
    }
}
