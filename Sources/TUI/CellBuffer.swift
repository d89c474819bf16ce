/// One terminal cell: a glyph (one column wide) and its style.
public struct Cell: Equatable, Sendable {
    public var glyph: Character
    public var fg: RGB?
    public var bg: RGB?
    public var bold = false
    public var reverse = false

    public init(_ glyph: Character = " ", fg: RGB? = nil, bg: RGB? = nil, bold: Bool = false, reverse: Bool = false) {
        self.glyph = glyph; self.fg = fg; self.bg = bg; self.bold = bold; self.reverse = reverse
    }
}

/// The style widgets draw with.
public struct Style: Equatable, Sendable {
    public var fg: RGB?, bg: RGB?, bold: Bool, reverse: Bool

    public init(fg: RGB? = nil, bg: RGB? = nil, bold: Bool = false, reverse: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.reverse = reverse
    }
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }

    /// The rectangle shrunk by `n` cells on every side.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
}

/// The grid every widget renders into. ncurses only flushes it, so widgets can be tested as text
/// without a terminal. Drawing outside the grid is clipped.
public struct CellBuffer: Sendable {
    public let width: Int, height: Int
    public private(set) var cells: [Cell]
    /// Whether box-drawing and block glyphs may be used (false without a UTF-8 locale).
    public var unicode: Bool

    public init(width: Int, height: Int, unicode: Bool = true) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
        self.unicode = unicode
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Writes `text` from (x, y), at most `maxWidth` columns (an ellipsis marks a cut).
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = Style(), maxWidth: Int? = nil) {
        let limit = maxWidth ?? (width - x)
        guard limit > 0 else { return }
        var chars = Array(text).map { $0 == "\t" || $0 == "\n" ? " " : unicode || $0.isASCII ? $0 : Self.ascii($0) }
        if chars.count > limit { chars = Array(chars.prefix(limit - 1)) + [unicode ? "…" : "~"] }
        for (i, c) in chars.enumerated() {
            self[x + i, y] = Cell(c, fg: style.fg, bg: style.bg, bold: style.bold, reverse: style.reverse)
        }
    }

    /// The ASCII stand-in of a glyph, for terminals without a UTF-8 locale.
    static func ascii(_ c: Character) -> Character {
        switch c {
        case "·", "•": return "."
        case "…": return "~"
        case "▸", "▶", "→": return ">"
        case "◀", "←": return "<"
        case "┃", "│", "▏": return "|"
        case "─", "–", "—": return "-"
        case "✓": return "+"
        case "✗", "×": return "x"
        case "↑": return "^"
        case "↓": return "v"
        default: return "?"
        }
    }

    public mutating func fill(_ r: Rect, _ glyph: Character = " ", style: Style = Style()) {
        for y in r.y..<(r.y + r.height) {
            for x in r.x..<(r.x + r.width) { self[x, y] = Cell(glyph, fg: style.fg, bg: style.bg, bold: style.bold, reverse: style.reverse) }
        }
    }

    /// A border around `r` with an optional title in the top edge.
    public mutating func box(_ r: Rect, title: String? = nil, style: Style = Style()) {
        guard r.width >= 2 && r.height >= 2 else { return }
        let (h, v, tl, tr, bl, br): (Character, Character, Character, Character, Character, Character) =
            unicode ? ("─", "│", "┌", "┐", "└", "┘") : ("-", "|", "+", "+", "+", "+")
        for x in (r.x + 1)..<(r.x + r.width - 1) {
            self[x, r.y] = Cell(h, fg: style.fg, bg: style.bg)
            self[x, r.y + r.height - 1] = Cell(h, fg: style.fg, bg: style.bg)
        }
        for y in (r.y + 1)..<(r.y + r.height - 1) {
            self[r.x, y] = Cell(v, fg: style.fg, bg: style.bg)
            self[r.x + r.width - 1, y] = Cell(v, fg: style.fg, bg: style.bg)
        }
        self[r.x, r.y] = Cell(tl, fg: style.fg, bg: style.bg); self[r.x + r.width - 1, r.y] = Cell(tr, fg: style.fg, bg: style.bg)
        self[r.x, r.y + r.height - 1] = Cell(bl, fg: style.fg, bg: style.bg)
        self[r.x + r.width - 1, r.y + r.height - 1] = Cell(br, fg: style.fg, bg: style.bg)
        if let title, r.width > 4 { put(" \(title) ", x: r.x + 2, y: r.y, style: Style(fg: style.fg, bg: style.bg, bold: true), maxWidth: r.width - 4) }
    }

    /// The glyphs as lines of text (trailing spaces kept), what golden tests compare.
    public var text: String {
        (0..<height).map { y in String((0..<width).map { self[$0, y].glyph }) }.joined(separator: "\n")
    }
}
