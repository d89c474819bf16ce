/// Braille cells as 2×4 dot grids (U+2800 plus one bit per dot), shared by frames and charts.
enum Braille {
    /// The bit of the dot in column `dx` (0–1) and row `dy` (0–3) of a cell.
    static func bit(_ dx: Int, _ dy: Int) -> Int { dy == 3 ? (dx == 0 ? 0x40 : 0x80) : 1 << (dy + 3 * dx) }

    static func glyph(_ bits: Int) -> Character { Character(Unicode.Scalar(0x2800 + (bits & 0xFF))!) }
}
