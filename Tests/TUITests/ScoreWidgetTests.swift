import Testing
@testable import TUI

/// The widgets of the model's views: probability bars with the raw value marked, PN paired bars,
/// the top-class timeline and the confusion heat grid, against golden files.
@Suite struct ScoreWidgetTests {
    let plain = Style(), truth = Style(bold: true), bar = Style(fg: RGB(1, 2, 3)), marker = Style(fg: RGB(9, 9, 9))

    @Test func probabilityBarsMarkThePredictionTheTruthAndTheRawValue() throws {
        var b = CellBuffer(width: 40, height: 3)
        ProbabilityBars.render([.init("happiness", 0.75, raw: 0.5), .init("sadness", 0.2, raw: 0.45), .init("fear", 0.05)], into: &b, b.bounds,
                               style: plain, bar: bar, truth: 1, truthStyle: truth, marker: marker, labelWidth: 11)
        try Golden.check(b, "probability-bars")
        #expect(b[0, 0].glyph == "▸" && b[0, 1].glyph == " ", "the most probable class is marked")
        #expect(b[1, 1].bold && !b[1, 0].bold, "the truth row is in its style")
        let barWidth = 40 - 11 - 8
        #expect(b[11 + barWidth / 2, 0].glyph == "┃" && b[11 + barWidth / 2, 0].fg == marker.fg, "raw 0.5 ticks the bar's middle")
        #expect(!(0..<40).contains { b[$0, 2].glyph == "┃" }, "no raw value, no tick")
    }

    @Test func pairedBarsShowBothCosinesAndTheMargin() throws {
        var b = CellBuffer(width: 60, height: 4)
        PairedBars.render([.init("happiness", positive: 0.30, negative: 0.10), .init("sadness", positive: 0.12, negative: 0.27),
                           .init("fear", positive: 0.2, negative: 0.2)], into: &b, b.bounds, style: plain, positive: Style(fg: RGB(0, 255, 0)),
                          negative: Style(fg: RGB(255, 0, 0)), selected: 2, selectedStyle: Style(bg: RGB(5, 5, 5)), truth: 0, truthStyle: truth, labelWidth: 11)
        try Golden.check(b, "paired-bars")
        #expect(b.text.contains("+0.200") && b.text.contains("-0.150") && b.text.contains("+0.000"))
        #expect(b[0, 1].glyph == "▸", "the largest margin wins")
        #expect(b[30, 3].bg == RGB(5, 5, 5), "the selected row is highlighted across")
    }

    @Test func timelineLettersClassesAndDotsWhatIsNotScored() throws {
        var b = CellBuffer(width: 12, height: 1)
        let top: [Int?] = [0, 0, 0, 1, 1, 1, 2, 2, nil, nil, nil, nil]
        ClassTimeline.render(top, classes: ["happiness", "sadness", "fear"], colors: [RGB(1, 0, 0), RGB(0, 1, 0), RGB(0, 0, 1)], playhead: 4,
                             into: &b, b.bounds, style: plain)
        #expect(b.text == "HHHSSSFF····")
        #expect(b[4, 0].reverse && !b[3, 0].reverse)
        #expect(b[3, 0].bg == RGB(0, 1, 0))
    }

    @Test func heatmapIsRowNormalisedWithCountsAndACursor() throws {
        var b = CellBuffer(width: 40, height: 4)
        Heatmap.render([[3, 1, 0], [0, 2, 0], [1, 0, 4]], classes: ["happiness", "sadness", "fear"], cursor: (2, 0), into: &b, b.bounds,
                       style: plain, low: RGB(0, 0, 0), high: RGB(200, 0, 0), labelWidth: 10)
        try Golden.check(b, "heatmap")
        #expect(b[10 + 7 + 5, 2].bg == RGB(200, 0, 0), "sadness→sadness is the whole row")
        #expect(b[10 + 5, 1].bg == RGB(150, 0, 0), "3 of 4 happiness clips")
        #expect(b[10 + 5, 3].reverse, "the cursor cell")
    }

    @Test func lineEditorTypesDeletesCommitsAndCancels() {
        var e = LineEditor("ab")
        #expect(e.type("c") == .editing && e.text == "abc")
        #expect(e.type("backspace") == .editing && e.text == "ab")
        #expect(e.type("space") == .editing && e.text == "ab ")
        e = LineEditor("class:sad  wrong ")
        #expect(e.type("ctrl-w") == .editing && e.text == "class:sad  ")
        #expect(e.type("ctrl-w") == .editing && e.text.isEmpty)
        e = LineEditor("ab ")
        #expect(e.type("ctrl-u") == .editing && e.text.isEmpty)
        #expect(e.type("up") == .editing && e.text.isEmpty, "named keys are not text")
        #expect(e.type("enter") == .committed && e.type("esc") == .cancelled)
    }

    /// The cursor moves with ←/→, Home/End and Ctrl-A/Ctrl-E; typing, deleting and Ctrl-W/Ctrl-U
    /// act at it, as in a shell.
    @Test func lineEditorEditsAtItsCursor() {
        var e = LineEditor("wrong sad")
        for _ in 0..<4 { _ = e.type("left") }
        #expect(e.cursor == 5 && e.display(cursor: "|") == "wrong| sad")
        _ = e.type("backspace"); _ = e.type("G")
        #expect(e.text == "wronG sad" && e.cursor == 5)
        _ = e.type("ctrl-w")
        #expect(e.text == " sad" && e.cursor == 0)
        _ = e.type("end"); _ = e.type("!")
        #expect(e.text == " sad!")
        _ = e.type("home"); _ = e.type("x"); _ = e.type("ctrl-e"); _ = e.type("left"); _ = e.type("ctrl-u")
        #expect(e.text == "!" && e.cursor == 0)
        _ = e.type("left"); _ = e.type("right"); _ = e.type("right")
        #expect(e.cursor == 1, "the cursor stays inside the text")
    }

    @Test func withoutUnicodeEveryGlyphHasAnASCIIStandIn() {
        var b = CellBuffer(width: 20, height: 1, unicode: false)
        b.put("a · b ▸ ✓ ✗ … ┃ 日", x: 0, y: 0)
        #expect(b.text == "a . b > + x ~ | ?   ")
    }
}
