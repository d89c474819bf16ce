import Foundation

/// Class probabilities as bars: the value (a clip's, or a frame's smoothed over a window) as a bar,
/// the frame's own raw value as a tick on it, the predicted class marked ▸ and the ground truth
/// in its own style.
public enum ProbabilityBars {
    public struct Row: Sendable {
        public var label: String
        public var value: Double
        public var raw: Double?
        public init(_ label: String, _ value: Double, raw: Double? = nil) { self.label = label; self.value = value; self.raw = raw }
    }

    public static func render(_ rows: [Row], into b: inout CellBuffer, _ r: Rect, style: Style, bar: Style, truth: Int?, truthStyle: Style,
                              marker: Style, labelWidth: Int = 10) {
        let best = rows.indices.max { rows[$0].value < rows[$1].value }
        let barWidth = max(1, r.width - labelWidth - 8)
        for (i, row) in rows.prefix(r.height).enumerated() {
            let y = r.y + i
            let s = i == truth ? truthStyle : style
            b.put(i == best ? (b.unicode ? "▸" : ">") : " ", x: r.x, y: y, style: s)
            b.put(row.label, x: r.x + 1, y: y, style: s, maxWidth: labelWidth - 2)
            let x0 = r.x + labelWidth
            b.put(BarChart.bar(max(0, min(1, row.value)), width: barWidth, unicode: b.unicode), x: x0, y: y, style: bar)
            if let raw = row.raw, raw.isFinite {
                let x = x0 + min(barWidth - 1, Int((max(0, min(1, raw)) * Double(barWidth)).rounded(.down)))
                b[x, y] = Cell(b.unicode ? "┃" : "|", fg: marker.fg, bg: b[x, y].glyph == " " ? style.bg : bar.fg, bold: true)
            }
            b.put(String(format: "%5.1f%%", 100 * row.value), x: x0 + barWidth + 1, y: y, style: s)
        }
    }
}

/// Positive vs negative descriptor similarities per class: cos(video, P) and cos(video, N) as two
/// bars on one scale, then their margin; the class with the largest margin marked ▸, a selected
/// row highlighted.
public enum PairedBars {
    public struct Row: Sendable {
        public var label: String
        public var positive: Double
        public var negative: Double
        public init(_ label: String, positive: Double, negative: Double) { self.label = label; self.positive = positive; self.negative = negative }
        public var margin: Double { positive - negative }
    }

    public static func render(_ rows: [Row], into b: inout CellBuffer, _ r: Rect, style: Style, positive: Style, negative: Style,
                              selected: Int?, selectedStyle: Style, truth: Int?, truthStyle: Style, labelWidth: Int = 10) {
        let scale = max(1e-6, rows.flatMap { [abs($0.positive), abs($0.negative)] }.max() ?? 1)
        let best = rows.indices.max { rows[$0].margin < rows[$1].margin }
        // label | P bar value | N bar value | margin, under a header row.
        let barWidth = max(1, (r.width - labelWidth - 2 * 7 - 8) / 2)
        b.put("P", x: r.x + labelWidth, y: r.y, style: Style(fg: positive.fg, bg: style.bg, bold: true))
        b.put("N", x: r.x + labelWidth + barWidth + 7, y: r.y, style: Style(fg: negative.fg, bg: style.bg, bold: true))
        b.put("margin", x: r.x + labelWidth + 2 * (barWidth + 7) + 1, y: r.y, style: style)
        for (i, row) in rows.prefix(r.height - 1).enumerated() {
            let y = r.y + 1 + i
            var s = i == truth ? truthStyle : style
            if i == selected { s = Style(fg: selectedStyle.fg, bg: selectedStyle.bg, bold: true) }
            if i == selected { b.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: s) }
            b.put(i == best ? (b.unicode ? "▸" : ">") : " ", x: r.x, y: y, style: s)
            b.put(row.label, x: r.x + 1, y: y, style: s, maxWidth: labelWidth - 2)
            var x = r.x + labelWidth
            for (value, bar) in [(row.positive, positive), (row.negative, negative)] {
                b.put(BarChart.bar(max(0, value) / scale, width: barWidth, unicode: b.unicode), x: x, y: y, style: Style(fg: bar.fg, bg: s.bg))
                b.put(String(format: "%6.3f", value), x: x + barWidth, y: y, style: s)
                x += barWidth + 7
            }
            b.put(String(format: "%+7.3f", row.margin), x: x, y: y, style: row.margin >= 0 ? Style(fg: positive.fg, bg: s.bg, bold: s.bold)
                                                                                       : Style(fg: negative.fg, bg: s.bg, bold: s.bold))
        }
    }
}

/// The top class along a clip: one cell per slice of frames, coloured by class and lettered with
/// its initial; frames not scored yet stay dotted, the playhead's cell is reversed.
public enum ClassTimeline {
    /// `topClass[f]` is the top class at clip frame f (nil: not scored yet).
    public static func render(_ topClass: [Int?], classes: [String], colors: [RGB], playhead: Int?, into b: inout CellBuffer, _ r: Rect, style: Style) {
        guard r.width > 0, !topClass.isEmpty else { return }
        let head = playhead.map { min(r.width - 1, $0 * r.width / topClass.count) }
        for col in 0..<r.width {
            let f = min(topClass.count - 1, col * topClass.count / r.width)
            var cell: Cell
            if let c = topClass[f], c < classes.count {
                let letter = classes[c].first.map { Character($0.uppercased()) } ?? "?"
                cell = Cell(letter, fg: style.bg, bg: colors[c % colors.count], bold: true)
            } else {
                cell = Cell(b.unicode ? "·" : ".", fg: style.fg, bg: style.bg)
            }
            if col == head { cell.reverse = true }
            b[r.x + col, r.y] = cell
        }
    }
}

/// A confusion matrix as a heat grid: rows are the truth, columns the prediction, each cell's
/// colour its share of the row (row-normalised), with the count written in it; a cursor cell.
public enum Heatmap {
    public static func render(_ counts: [[Int]], classes: [String], cursor: (row: Int, column: Int)?, into b: inout CellBuffer, _ r: Rect,
                              style: Style, low: RGB, high: RGB, labelWidth: Int = 10) {
        let n = counts.count
        guard n > 0 else { return }
        let cellWidth = max(3, min(7, (r.width - labelWidth) / max(1, n)))
        b.put("true\\pred", x: r.x, y: r.y, style: style, maxWidth: labelWidth - 1)
        for (j, name) in classes.prefix(n).enumerated() {
            b.put(String(name.prefix(cellWidth - 1)), x: r.x + labelWidth + j * cellWidth, y: r.y, style: Style(fg: style.fg, bg: style.bg, bold: true))
        }
        for i in 0..<min(n, r.height - 1) {
            let y = r.y + 1 + i
            b.put(classes.indices.contains(i) ? classes[i] : "\(i)", x: r.x, y: y, style: Style(fg: style.fg, bg: style.bg, bold: true), maxWidth: labelWidth - 1)
            let total = max(1, counts[i].reduce(0, +))
            for j in 0..<n {
                let share = Double(counts[i][j]) / Double(total)
                let bg = low.mixed(with: high, share)
                let fg = share > 0.5 ? RGB(255, 255, 255) : style.fg
                let text = counts[i][j] == 0 ? (b.unicode ? "·" : ".") : String(counts[i][j])
                let padded = String(repeating: " ", count: max(0, cellWidth - 1 - text.count)) + text + " "
                let at = cursor.map { $0.row == i && $0.column == j } ?? false
                b.put(padded, x: r.x + labelWidth + j * cellWidth, y: y, style: Style(fg: fg, bg: bg, bold: i == j, reverse: at))
            }
        }
    }
}

extension RGB {
    /// Linear blend towards `other` by `t` (0…1).
    func mixed(with other: RGB, _ t: Double) -> RGB {
        let t = max(0, min(1, t))
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return RGB(m(r, other.r), m(g, other.g), m(b, other.b))
    }
}
