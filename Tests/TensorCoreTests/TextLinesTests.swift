import Foundation
import Testing
import TensorCore

@Suite struct TextLinesTests {
    /// Found by the property test: lines were also split at U+000B, U+000C, U+0085 and U+2028, so a
    /// description holding a pasted line separator became two broken lines.
    @Test func onlyLineFeedsAndCarriageReturnsEndLines() {
        #expect(textLines("a\u{0B}b\u{0C}c\u{85}d\u{2028}e\u{2029}f\r\ng") == ["a\u{0B}b\u{0C}c\u{85}d\u{2028}e\u{2029}f", "g"])
    }
}

@Suite struct PathTextTests {
    /// As Foundation's NSString methods on ordinary paths.
    @Test(arguments: ["/a/b/c.mp4", "c.mp4", "dir/", "/", "", ".hidden", "a/.hidden", "a.b.c", "/x/y.", "clips/00001", "a/b//"])
    func agreesWithFoundationOnOrdinaryPaths(_ p: String) {
        #expect(PathText.lastComponent(p) == (p as NSString).lastPathComponent, "\(p)")
        #expect(PathText.deletingExtension(p) == (p as NSString).deletingPathExtension, "\(p)")
    }

    /// Found by the annotations fuzz target: Foundation traps on these (a doubled slash before a
    /// non-ASCII character).
    @Test func pathsFoundationTrapsOnAreTakenApart() {
        #expect(PathText.lastComponent("a//é.x") == "é.x" && PathText.deletingExtension("a//é.x") == "a//é" && PathText.stem("//Đ") == "Đ")
    }
}
