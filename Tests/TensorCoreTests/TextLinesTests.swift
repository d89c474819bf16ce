import Testing
import TensorCore

@Suite struct TextLinesTests {
    /// Found by the property test: lines were also split at U+000B, U+000C, U+0085 and U+2028, so a
    /// description holding a pasted line separator became two broken lines.
    @Test func onlyLineFeedsAndCarriageReturnsEndLines() {
        #expect(textLines("a\u{0B}b\u{0C}c\u{85}d\u{2028}e\u{2029}f\r\ng") == ["a\u{0B}b\u{0C}c\u{85}d\u{2028}e\u{2029}f", "g"])
    }
}
