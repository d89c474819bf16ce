import Foundation

/// One selected row kept inside a scrolling window of rows (lists and tables share it).
public struct Selection: Sendable, Equatable {
    public var selected = 0
    public var offset = 0

    public init() {}

    public mutating func move(by n: Int, count: Int, visibleRows: Int) {
        guard count > 0 else { selected = 0; offset = 0; return }
        selected = max(0, min(count - 1, selected + n))
        if selected < offset { offset = selected }
        if selected >= offset + visibleRows { offset = selected - visibleRows + 1 }
    }

    /// Keeps the selection valid after the rows changed.
    public mutating func clamp(count: Int) {
        selected = min(selected, max(0, count - 1))
        offset = min(offset, selected)
    }
}

/// A scrolling list with one selected row; keeps the selection visible.
public struct ListView: Sendable {
    public var items: [String]
    public var selection = Selection()
    public var selected: Int { selection.selected }
    public var offset: Int { selection.offset }

    public init(items: [String]) { self.items = items }

    public mutating func move(by n: Int, visibleRows: Int) { selection.move(by: n, count: items.count, visibleRows: visibleRows) }

    public func render(into buffer: inout CellBuffer, _ r: Rect, normal: Style = Style(), highlight: Style = Style(reverse: true)) {
        for row in 0..<r.height {
            let i = offset + row
            guard i < items.count else { break }
            let style = i == selected ? highlight : normal
            buffer.fill(Rect(x: r.x, y: r.y + row, width: r.width, height: 1), style: style)
            buffer.put(items[i], x: r.x, y: r.y + row, style: style, maxWidth: r.width)
        }
    }
}

/// Text wrapped at word boundaries (words longer than the width are cut).
public enum TextBox {
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var w = String(word)
                while w.count > width {
                    if !line.isEmpty { lines.append(line); line = "" }
                    lines.append(String(w.prefix(width)))
                    w = String(w.dropFirst(width))
                }
                if line.isEmpty { line = w } else if line.count + 1 + w.count <= width { line += " " + w } else { lines.append(line); line = w }
            }
            lines.append(line)
        }
        return lines
    }

    public static func render(_ text: String, into buffer: inout CellBuffer, _ r: Rect, style: Style = Style()) {
        for (i, line) in wrap(text, width: r.width).prefix(r.height).enumerated() {
            buffer.put(line, x: r.x, y: r.y + i, style: style, maxWidth: r.width)
        }
    }
}

/// Horizontal bars with labels and values (class probabilities, recalls); eighth-block resolution.
public enum BarChart {
    public static func render(_ rows: [(label: String, value: Double)], into buffer: inout CellBuffer, _ r: Rect,
                              maxValue: Double = 1, labelWidth: Int = 12, style: Style = Style(), highlight: Int? = nil) {
        let barWidth = max(0, r.width - labelWidth - 7)
        for (i, row) in rows.prefix(r.height).enumerated() {
            let y = r.y + i
            let s = i == highlight ? Style(fg: style.fg, bg: style.bg, bold: true) : style
            buffer.put(row.label, x: r.x, y: y, style: s, maxWidth: labelWidth - 1)
            let fraction = max(0, min(1, row.value / max(maxValue, 1e-12)))
            buffer.put(bar(fraction, width: barWidth, unicode: buffer.unicode), x: r.x + labelWidth, y: y, style: s)
            buffer.put(String(format: "%5.1f%%", 100 * row.value / max(maxValue, 1e-12)), x: r.x + labelWidth + barWidth + 1, y: y, style: s)
        }
    }

    /// A bar of `fraction` × `width` columns using eighth blocks (or '#').
    public static func bar(_ fraction: Double, width: Int, unicode: Bool) -> String {
        guard width > 0 else { return "" }
        let eighths = Int((fraction * Double(width * 8)).rounded())
        if !unicode { return String(repeating: "#", count: eighths / 8) + String(repeating: " ", count: width - eighths / 8) }
        let blocks: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var s = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0 && s.count < width { s.append(blocks[eighths % 8 - 1]) }
        return s + String(repeating: " ", count: max(0, width - s.count))
    }
}

/// A progress bar with a percentage and optional label.
public enum ProgressView {
    public static func render(_ fraction: Double, label: String = "", into buffer: inout CellBuffer, _ r: Rect, style: Style = Style()) {
        let text = label.isEmpty ? "" : label + " "
        let pct = String(format: " %3d%%", Int((max(0, min(1, fraction)) * 100).rounded()))
        let width = max(0, r.width - text.count - pct.count)
        buffer.put(text + BarChart.bar(fraction, width: width, unicode: buffer.unicode) + pct, x: r.x, y: r.y, style: style, maxWidth: r.width)
    }
}

/// The bottom line: fields separated by " │ ", cut to the width.
public enum StatusBar {
    public static func render(_ fields: [String], into buffer: inout CellBuffer, y: Int, style: Style = Style(reverse: true)) {
        buffer.fill(Rect(x: 0, y: y, width: buffer.width, height: 1), style: style)
        buffer.put(" " + fields.joined(separator: buffer.unicode ? " │ " : " | "), x: 0, y: y, style: style, maxWidth: buffer.width)
    }
}

/// A centred box with a title and wrapped text (help, confirmations, errors).
public enum Modal {
    public static func render(title: String, text: String, into buffer: inout CellBuffer, width: Int = 50, style: Style = Style()) {
        let w = min(width, buffer.width - 2)
        let lines = TextBox.wrap(text, width: max(1, w - 4))
        let h = min(lines.count + 2, buffer.height - 2)
        let r = Rect(x: (buffer.width - w) / 2, y: (buffer.height - h) / 2, width: w, height: h)
        buffer.fill(r, style: style)
        buffer.box(r, title: title, style: style)
        for (i, line) in lines.prefix(h - 2).enumerated() { buffer.put(line, x: r.x + 2, y: r.y + 1 + i, style: style, maxWidth: w - 4) }
    }
}
