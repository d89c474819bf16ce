import Foundation
import Testing
import Media
@testable import TUI

/// Widgets render into a cell buffer; the text is compared with golden files in Golden/ (set
/// FINECLIPER_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then review the diff).
enum Golden {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ buffer: CellBuffer, _ name: String) throws {
        let file = dir.appendingPathComponent(name + ".txt")
        let text = buffer.text + "\n"
        if ProcessInfo.processInfo.environment["FINECLIPER_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its golden file:\n\(text)")
    }
}

@Suite struct WidgetTests {
    @Test func listScrollsToKeepTheSelectionVisible() throws {
        var list = ListView(items: (1...12).map { "clip \(String(format: "%05d", $0))  Happy  16 frames" })
        var buffer = CellBuffer(width: 24, height: 6)
        buffer.box(buffer.bounds, title: "Clips")
        list.move(by: 6, visibleRows: 4)
        list.render(into: &buffer, buffer.bounds.inset(1))
        #expect(list.selected == 6 && list.offset == 3)
        #expect(buffer[1, 4].reverse && !buffer[1, 3].reverse)
        try Golden.check(buffer, "list")
        list.move(by: -100, visibleRows: 4)
        #expect(list.selected == 0 && list.offset == 0)
    }

    @Test func textWrapsAtWordsAndCutsLongWords() throws {
        #expect(TextBox.wrap("the eyebrows rise and the eyes widen", width: 12) == ["the eyebrows", "rise and the", "eyes widen"])
        #expect(TextBox.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        var buffer = CellBuffer(width: 20, height: 4)
        TextBox.render("Over the clip, the lip corners pull up and the mouth opens.", into: &buffer, buffer.bounds)
        try Golden.check(buffer, "textbox")
    }

    @Test func barsPercentagesAndProgress() throws {
        var buffer = CellBuffer(width: 32, height: 5)
        BarChart.render([("Happy", 0.62), ("Sad", 0.21), ("Neutral", 0.125), ("Angry", 0.0)], into: &buffer,
                        Rect(x: 0, y: 0, width: 32, height: 4), highlight: 0)
        ProgressView.render(0.375, label: "epoch 3/8", into: &buffer, Rect(x: 0, y: 4, width: 32, height: 1))
        #expect(buffer[0, 0].bold)
        try Golden.check(buffer, "bars")
        #expect(BarChart.bar(0.5, width: 4, unicode: false) == "##  ")
    }

    @Test func statusBarModalAndASCIIFallback() throws {
        var buffer = CellBuffer(width: 30, height: 7)
        Modal.render(title: "Help", text: "q quit, ? help, / filter", into: &buffer, width: 24)
        StatusBar.render(["browser", "half blocks", "256 colours", "25.0 fps"], into: &buffer, y: 6)
        try Golden.check(buffer, "modal")
        var plain = CellBuffer(width: 12, height: 3, unicode: false)
        plain.box(plain.bounds, title: "x")
        plain.put("a long line of text", x: 1, y: 1, maxWidth: 10)
        try Golden.check(plain, "ascii")
    }

    @Test func tableAlignsColumnsScrollsAndRestylesRows() throws {
        var table = Table(columns: [Table.Column("clip", width: 6), Table.Column("frames", width: 6, alignRight: true),
                                    Table.Column("description")])
        table.rows = (1...9).map { ["c\($0)", "\($0 * 4)", $0 == 3 ? "✗ cannot decode" : "brows rise slowly"] }
        #expect(table.widths(total: 30) == [6, 6, 16])
        var buffer = CellBuffer(width: 30, height: 5)
        table.move(by: 5, visibleRows: 4)
        let failed = Style(fg: RGB(255, 0, 0))
        table.render(into: &buffer, buffer.bounds, rowStyle: { $0 == 2 ? failed : nil })
        #expect(table.selection == { var s = Selection(); s.selected = 5; s.offset = 2; return s }())
        #expect(buffer[0, 0].bold && buffer[0, 4].reverse && buffer[0, 1].fg == RGB(255, 0, 0) && buffer[0, 2].fg == nil)
        try Golden.check(buffer, "table")
        table.rows = Array(table.rows.prefix(2))
        table.selection.clamp(count: 2)
        #expect(table.selection.selected == 1 && table.selection.offset == 1)
    }

    @Test func brailleLineChartDrawsEachSeriesInItsColour() throws {
        var buffer = CellBuffer(width: 24, height: 4)
        let loss = LineChart.Series("train", [2.0, 1.4, 1.0, 0.8, 0.7, 0.65, 0.6, 0.58], color: RGB(0, 200, 0))
        let flat = LineChart.Series("val", [1.2, 1.2, .nan, 1.2], color: RGB(200, 0, 0))
        LineChart.render([loss, flat], into: &buffer, buffer.bounds)
        try Golden.check(buffer, "linechart")
        // The first value sits in the top-left dot of the plot, the last in the bottom-right.
        #expect(buffer[5, 0].glyph.unicodeScalars.first!.value & 0x01 != 0 && buffer[5, 0].fg == RGB(0, 200, 0))
        #expect(buffer[23, 3].glyph.unicodeScalars.first!.value & 0x80 != 0)
        #expect(buffer.cells.contains { $0.fg == RGB(200, 0, 0) })
        var plain = CellBuffer(width: 12, height: 3, unicode: false)
        LineChart.render([loss], into: &plain, plain.bounds)
        #expect(plain.text.contains("*") && !plain.text.unicodeScalars.contains { $0.value >= 0x2800 })
        var empty = CellBuffer(width: 10, height: 2)
        LineChart.render([LineChart.Series("none", [])], into: &empty, empty.bounds)
        #expect(empty.text == "          \n          ")
        #expect(Braille.bit(0, 0) == 0x01 && Braille.bit(0, 2) == 0x04 && Braille.bit(1, 0) == 0x08 && Braille.bit(1, 3) == 0x80)
    }

    @Test func halfBlocksCarryTheUpperPixelInFrontAndTheLowerBehind() {
        // 2×2 image: red over blue in the left column, green over white in the right.
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        var buffer = CellBuffer(width: 2, height: 1)
        FrameView.render(width: 2, height: 2, pixels: pixels, into: &buffer, buffer.bounds)
        #expect(buffer[0, 0] == Cell("▀", fg: RGB(255, 0, 0), bg: RGB(0, 0, 255)))
        #expect(buffer[1, 0] == Cell("▀", fg: RGB(0, 255, 0), bg: RGB(255, 255, 255)))
        FrameView.render(width: 2, height: 2, pixels: pixels, into: &buffer, buffer.bounds, points: [(0.5, 1.5)])
        #expect(buffer[0, 0].bg == RGB(255, 255, 0))
    }

    @Test func asciiAndBrailleModes() {
        let grey: [UInt8] = Array(repeating: 0, count: 4 * 4 * 3) + Array(repeating: 255, count: 4 * 4 * 3)   // top half black
        var buffer = CellBuffer(width: 1, height: 2)
        FrameView.render(width: 4, height: 8, pixels: grey, into: &buffer, buffer.bounds, glyphs: .ascii)
        #expect(buffer[0, 0].glyph == " " && buffer[0, 1].glyph == "@")
        var braille = CellBuffer(width: 2, height: 2)
        FrameView.render(width: 4, height: 8, pixels: grey, into: &braille, braille.bounds, glyphs: .braille)
        #expect(braille.cells.allSatisfy { $0.glyph.unicodeScalars.first!.value >= 0x2800 && $0.glyph.unicodeScalars.first!.value <= 0x28FF })
        var noUnicode = CellBuffer(width: 1, height: 2, unicode: false)
        FrameView.render(width: 4, height: 8, pixels: grey, into: &noUnicode, noUnicode.bounds, glyphs: .halfBlocks)
        #expect(noUnicode[0, 1].glyph == "@")
        #expect(FrameView.Glyphs.halfBlocks.next == .ascii && FrameView.Glyphs.braille.next == .halfBlocks)
    }

    /// Braille dithers the frame's stretched luminance: a left-to-right ramp lights more dots to the
    /// right (not the same per-cell pattern everywhere), and a landmark lights its dot in its colour.
    @Test func brailleDithersShadingAndShowsLandmarks() {
        let (w, h) = (32, 16)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { for k in 0..<3 { pixels[(y * w + x) * 3 + k] = UInt8(40 + x * 5) } } }
        var b = CellBuffer(width: 16, height: 4)
        FrameView.render(width: w, height: h, pixels: pixels, into: &b, b.bounds, glyphs: .braille)
        func dots(_ c: Cell) -> Int { Int(c.glyph.unicodeScalars.first!.value - 0x2800).nonzeroBitCount }
        let columns = (0..<16).map { x in (0..<4).map { dots(b[x, $0]) }.reduce(0, +) }
        #expect(columns.first! <= 4 && columns.last! >= 28 && zip(columns, columns.dropFirst()).allSatisfy { $0 <= $1 + 2 }, "\(columns)")
        FrameView.render(width: w, height: h, pixels: pixels, into: &b, b.bounds, glyphs: .braille, points: [(1, 1)], pointColor: RGB(255, 255, 0))
        #expect(b[0, 0].fg == RGB(255, 255, 0) && dots(b[0, 0]) >= 1)
        #expect((b[0, 1].fg?.luma ?? 0) >= 0.54, "dark dots are lifted so they stay visible")
    }
}

@Suite struct ColourThemeKeymapTests {
    @Test func quantisationToTheTerminalsPalettes() {
        #expect(RGB(255, 0, 0).xterm256 == 196 && RGB(0, 0, 0).xterm256 == 16 && RGB(128, 128, 128).xterm256 == 244)
        #expect(RGB(250, 10, 10).ansi16 == 9 && RGB(0, 0, 0).ansi16 == 0 && RGB(200, 200, 200).ansi16 == 7)
        #expect(RGB(hex: "#88c0d0") == RGB(136, 192, 208) && RGB(hex: "nope") == nil && RGB(1, 2, 255).hex == "#0102ff")
    }

    @Test func shippedThemesParseCleanly() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes")
        for name in ["dark", "light", "tty"] {
            let (theme, problems) = Theme.load(dir.appendingPathComponent("\(name).theme").path)
            #expect(problems.isEmpty, "\(name): \(problems)")
            #expect(theme.name == name && theme.colors.count == Theme.keys.count)
        }
        let (light, _) = Theme.load(dir.appendingPathComponent("light.theme").path)
        #expect(light["main_bg"] == RGB(250, 250, 250))
    }

    @Test func badThemeLinesAreReportedAndDefaultsStay() {
        let (theme, problems) = Theme.parse("main_bg = \"#000000\"\nmystery = \"#ffffff\"\nmain_fg = \"red\"\nborder = 12\n", name: "t", file: "t.theme")
        #expect(theme["main_bg"] == RGB(0, 0, 0) && theme["main_fg"] == Theme.fallback["main_fg"])
        #expect(problems == ["t.theme:2: unknown key mystery", "t.theme:3: red is not a #RRGGBB colour",
                             "t.theme:4: an integer is not a #RRGGBB colour"])
        // Not TOML at all: one message with line and column, and every colour stays the default.
        let (broken, syntax) = Theme.parse("main_bg = \"#000000\"\nmain_fg = red\n", name: "t", file: "t.theme")
        #expect(broken["main_bg"] == Theme.fallback["main_bg"] && syntax.count == 1 && syntax[0].hasPrefix("t.theme:2:11: "), "\(syntax)")
    }

    @Test func keymapDefaultsOverridesAndErrors() {
        var keys = Keymap()
        #expect(keys.action(for: "j") == .down && keys.action(for: "down") == .down && keys.action(for: "space") == .playPause)
        let problems = keys.apply("# my keys\ndown = [\"n\",\n        \"down\"]  # arrays may span lines\nquit = \"x\"\nfly = \"f\"\nhelp = []\nback = 1\n", file: "keys.toml")
        #expect(keys.action(for: "n") == .down && keys.action(for: "j") == nil && keys.action(for: "x") == .quit && keys.action(for: "q") == nil)
        #expect(keys.keys(for: .down) == ["down", "n"])
        #expect(problems == ["keys.toml:5: unknown action fly", "keys.toml:6: no key for help",
                             "keys.toml:7: back takes \"key\" or [\"key\", …], not an integer"])
        var untouched = Keymap()
        let syntax = untouched.apply("quit = \"x\"\nhelp = \n", file: "keys.toml")
        #expect(syntax.count == 1 && syntax[0].hasPrefix("keys.toml:2:") && untouched.action(for: "q") == .quit, "\(syntax)")
        #expect(keys.action(for: "?") == .help)
        #expect(Action.allCases.allSatisfy { !Keymap.defaults[$0, default: []].isEmpty })
        // A key name the terminal never produces would leave the action without a key: refused.
        let named = keys.apply("play_pause = \"spacebar\"\nlandmarks = [\"ctrl-l\", \"L\"]\n", file: "keys.toml")
        #expect(named.count == 1 && named[0].hasPrefix("keys.toml:1: spacebar is not a key"))
        #expect(keys.action(for: "space") == .playPause && keys.action(for: "L") == .landmarks)
    }
}

/// 256 colours: nearest-colour quantisation turns skin into flat olive and pink patches (the
/// cube's steps are 40 apart); ordered dithering keeps the colour that a few neighbouring pixels
/// average to, which is what the eye sees.
@Suite struct Dither256Tests {
    static func palette(_ code: Int) -> RGB {
        if code >= 232 { let v = UInt8(8 + 10 * (code - 232)); return RGB(v, v, v) }
        let c = code - 16, l = RGB.cubeLevels
        return RGB(UInt8(l[c / 36]), UInt8(l[c / 6 % 6]), UInt8(l[c % 6]))
    }

    @Test func ditheringKeepsTheFacesAverageColour() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let frame = try VideoReader(path: root + "/assets/media/single_face.mp4").frame(at: 0)
        // The face (dlib's box on this frame), averaged down to 64×64 pixels as a pane would show it.
        let face = frame.cropped(x: 214, y: 114, width: 180, height: 180)
        let n = 64
        let pixels = FrameView.downsample(width: face.width, height: face.height, pixels: face.pixels, cols: n, rows: n)
        let nearest = pixels.map { Self.palette($0.xterm256) }
        let dithered = pixels.indices.map { pixels[$0].ditheredXterm256(threshold: FrameView.bayer[($0 / n) % 4][($0 % n) % 4]) }
        #expect(dithered.allSatisfy { Self.palette($0.xterm256) == $0 }, "dithered colours are palette entries, shown exactly")
        // Error of what the eye averages: 4×4-pixel blocks (two by four half-block cells).
        func blockError(_ q: [RGB]) -> Double {
            var total = 0.0, blocks = 0
            for by in stride(from: 0, to: n, by: 4) {
                for bx in stride(from: 0, to: n, by: 4) {
                    var d = (0.0, 0.0, 0.0)
                    for y in by..<(by + 4) {
                        for x in bx..<(bx + 4) {
                            let (a, b) = (pixels[y * n + x], q[y * n + x])
                            d.0 += Double(a.r) - Double(b.r); d.1 += Double(a.g) - Double(b.g); d.2 += Double(a.b) - Double(b.b)
                        }
                    }
                    total += (d.0 * d.0 + d.1 * d.1 + d.2 * d.2).squareRoot() / 16
                    blocks += 1
                }
            }
            return total / Double(blocks)
        }
        let (e0, e1) = (blockError(nearest), blockError(dithered))
        print(String(format: "256 colours, single_face.mp4's face: mean colour error of 4×4 blocks %.1f nearest, %.1f dithered", e0, e1))
        #expect(e1 < 0.6 * e0, "nearest \(e0), dithered \(e1)")
    }
}
