/// Rows under a header in aligned columns, with one selected row kept in view (the clip browser,
/// per-class metrics). Fixed-width columns keep their width; flexible ones share what is left.
public struct Table: Sendable {
    public struct Column: Sendable {
        public var title: String
        /// Cells wide, or nil to take a share of the remaining width.
        public var width: Int?
        public var alignRight: Bool

        public init(_ title: String, width: Int? = nil, alignRight: Bool = false) {
            self.title = title; self.width = width; self.alignRight = alignRight
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public var selection = Selection()

    public init(columns: [Column], rows: [[String]] = []) { self.columns = columns; self.rows = rows }

    public mutating func move(by n: Int, visibleRows: Int) { selection.move(by: n, count: rows.count, visibleRows: visibleRows) }

    /// Each column's width within `total` cells (one space between columns).
    public func widths(total: Int) -> [Int] {
        let fixed = columns.compactMap(\.width).reduce(0, +) + max(0, columns.count - 1)
        let flexible = columns.filter { $0.width == nil }.count
        let share = flexible == 0 ? 0 : max(0, total - fixed) / flexible
        return columns.map { $0.width ?? share }
    }

    /// Draws the header in the first row of `r` and as many rows as fit below it, scrolled so the
    /// selection shows. `rowStyle` may restyle a row (by row index), e.g. clips that failed.
    public func render(into buffer: inout CellBuffer, _ r: Rect, header: Style = Style(bold: true), normal: Style = Style(),
                       highlight: Style = Style(reverse: true), rowStyle: (Int) -> Style? = { _ in nil }) {
        guard r.height > 0 else { return }
        let widths = widths(total: r.width)
        draw(columns.map(\.title), y: r.y, in: r, widths: widths, buffer: &buffer, style: header)
        for line in 0..<(r.height - 1) {
            let i = selection.offset + line
            guard i < rows.count else { break }
            draw(rows[i], y: r.y + 1 + line, in: r, widths: widths, buffer: &buffer,
                 style: i == selection.selected ? highlight : rowStyle(i) ?? normal)
        }
    }

    private func draw(_ cells: [String], y: Int, in r: Rect, widths: [Int], buffer: inout CellBuffer, style: Style) {
        buffer.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: style)
        var x = r.x
        for (k, w) in widths.enumerated() where w > 0 && x < r.x + r.width {
            let text = k < cells.count ? cells[k] : ""
            let room = min(w, r.x + r.width - x)
            let pad = columns[k].alignRight ? max(0, room - text.count) : 0
            buffer.put(text, x: x + pad, y: y, style: style, maxWidth: room - pad)
            x += w + 1
        }
    }
}
