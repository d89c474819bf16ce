/// A video frame drawn in cells: half blocks (▀, foreground = upper pixel, background = lower
/// pixel), an ASCII brightness ramp, or braille dots (2×4 per cell). Pixels are area-averaged to
/// the grid, so small panes still show the whole frame. Overlay points (landmarks) take a pixel of
/// their own colour.
public enum FrameView {
    public enum Glyphs: String, CaseIterable, Sendable {
        case halfBlocks = "half blocks", ascii = "ascii", braille = "braille"

        public var next: Glyphs { Glyphs.allCases[(Glyphs.allCases.firstIndex(of: self)! + 1) % Glyphs.allCases.count] }
    }

    static let ramp: [Character] = Array(" .:-=+*#%@")

    /// 4×4 Bayer thresholds in (0, 1): ordered dithering for braille dots.
    static let bayer: [[Double]] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]].map { $0.map { (Double($0) + 0.5) / 16 } }

    /// The frame averaged down to `cols` × `rows` pixels (RGB bytes).
    public static func downsample(width: Int, height: Int, pixels: [UInt8], cols: Int, rows: Int) -> [RGB] {
        guard cols > 0, rows > 0, width > 0, height > 0 else { return [] }
        var out = [RGB](repeating: RGB(0, 0, 0), count: cols * rows)
        for gy in 0..<rows {
            let y0 = gy * height / rows, y1 = max(y0 + 1, (gy + 1) * height / rows)
            for gx in 0..<cols {
                let x0 = gx * width / cols, x1 = max(x0 + 1, (gx + 1) * width / cols)
                var r = 0, g = 0, b = 0
                for y in y0..<y1 {
                    var i = (y * width + x0) * 3
                    for _ in x0..<x1 { r += Int(pixels[i]); g += Int(pixels[i + 1]); b += Int(pixels[i + 2]); i += 3 }
                }
                let n = (y1 - y0) * (x1 - x0)
                out[gy * cols + gx] = RGB(UInt8(r / n), UInt8(g / n), UInt8(b / n))
            }
        }
        return out
    }

    /// Draws the frame into `r`; `points` (frame pixel coordinates) are marked in `pointColor`,
    /// and each further set of `overlays` in its own colour (drawn first, so `points` win).
    /// `dither256`: the pixels are dithered to the 256-colour palette (see `ditheredXterm256`).
    public static func render(width: Int, height: Int, pixels: [UInt8], into buffer: inout CellBuffer, _ r: Rect,
                              glyphs: Glyphs = .halfBlocks, points: [(Double, Double)] = [], pointColor: RGB = RGB(255, 255, 0),
                              overlays: [(points: [(Double, Double)], color: RGB)] = [], dither256: Bool = false) {
        guard r.width > 0, r.height > 0 else { return }
        let mode: Glyphs = buffer.unicode ? glyphs : .ascii
        let (pw, ph) = mode == .halfBlocks ? (r.width, r.height * 2) : mode == .braille ? (r.width * 2, r.height * 4) : (r.width, r.height)
        var grid = downsample(width: width, height: height, pixels: pixels, cols: pw, rows: ph)
        var marked: [Int: RGB] = [:]
        for (set, color) in overlays + [(points, pointColor)] {
            for (x, y) in set {
                let gx = Int(x * Double(pw) / Double(width)), gy = Int(y * Double(ph) / Double(height))
                if gx >= 0 && gy >= 0 && gx < pw && gy < ph { grid[gy * pw + gx] = color; marked[gy * pw + gx] = color }
            }
        }
        // On a 256-colour terminal, half blocks and ASCII take palette colours by ordered dithering
        // (the terminal then shows them exactly); markers keep their colour.
        if dither256 && mode != .braille {
            for y in 0..<ph {
                for x in 0..<pw where marked[y * pw + x] == nil {
                    grid[y * pw + x] = grid[y * pw + x].ditheredXterm256(threshold: bayer[y % 4][x % 4])
                }
            }
        }
        // The 2nd and 98th percentiles of luminance span the dither's range (braille only).
        let stretch: (low: Double, high: Double) = {
            guard mode == .braille else { return (0, 1) }
            let sorted = grid.map(\.luma).sorted()
            return (sorted[sorted.count * 2 / 100], sorted[min(sorted.count - 1, sorted.count * 98 / 100)])
        }()
        for cy in 0..<r.height {
            for cx in 0..<r.width {
                let cell: Cell
                switch mode {
                case .halfBlocks:
                    cell = Cell("▀", fg: grid[(2 * cy) * pw + cx], bg: grid[(2 * cy + 1) * pw + cx])
                case .ascii:
                    let c = grid[cy * pw + cx]
                    let glyph = marked[cy * pw + cx] != nil ? "o" : ramp[min(ramp.count - 1, Int(c.luma * Double(ramp.count)))]
                    cell = Cell(glyph, fg: c)
                case .braille:
                    // Dots lit by ordered dithering of the frame's contrast-stretched luminance,
                    // so shading carries across cells; marked dots lit and their cell in the
                    // marker's colour, so landmarks show.
                    var bits = 0, marker: RGB? = nil
                    var sum = (0, 0, 0)
                    for dy in 0..<4 {
                        for dx in 0..<2 {
                            let i = (4 * cy + dy) * pw + 2 * cx + dx
                            let c = grid[i]
                            sum = (sum.0 + Int(c.r), sum.1 + Int(c.g), sum.2 + Int(c.b))
                            if let m = marked[i] { marker = m; bits |= Braille.bit(dx, dy); continue }
                            let level = (c.luma - stretch.low) / max(stretch.high - stretch.low, 1e-6)
                            if level > bayer[(4 * cy + dy) % 4][(2 * cx + dx) % 4] { bits |= Braille.bit(dx, dy) }
                        }
                    }
                    let avg = RGB(UInt8(sum.0 / 8), UInt8(sum.1 / 8), UInt8(sum.2 / 8))
                    cell = Cell(Braille.glyph(bits), fg: marker ?? avg.brightened(to: 0.55))
                }
                buffer[r.x + cx, r.y + cy] = cell
            }
        }
    }
}
