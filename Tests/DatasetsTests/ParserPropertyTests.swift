import Foundation
import PropertyBased
import Testing
import TestSupport
import TensorCore
@testable import Datasets

/// Parsers checked on generated files: whatever the content, quoting, line ends and byte-order
/// mark, what a writer puts in is what the reader gives back (the fuzz targets check the other
/// half: that no input crashes them).
@Suite struct ParserPropertyTests {
    static let lineEnds = ["\n", "\r\n", "\r"]

    @Test func csvFieldsReadBackWhateverTheQuotingAndLineEnds() async {
        let field = Gen.latin1.filter { $0 != "\0" }.string(of: 0...8)
        let row = field.array(of: 1...5).filter { !($0.count == 1 && $0[0].isEmpty) }
        let table = zip(row.array(of: 0...6), Gen.int(in: 0...2), Gen.bool)
        await propertyCheck(count: 300, input: table) { rows, end, bom in
            let text = (bom ? "\u{FEFF}" : "") + rows.map { fields in
                fields.map { f in
                    f.unicodeScalars.contains { ",\"\r\n".unicodeScalars.contains($0) } ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
                }.joined(separator: ",")
            }.joined(separator: Self.lineEnds[end])
            let parsed = try CSVTable.parse(text)
            #expect(parsed.map(\.fields) == rows, "\(text.debugDescription)")
            #expect(zip(parsed, parsed.dropFirst()).allSatisfy { $0.line < $1.line })
        }
    }

    @Test func textLinesSplitEveryLineEndAlike() async {
        let line = Gen.latin1.filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" }.string(of: 0...10)
        await propertyCheck(count: 300, input: line.array(of: 1...8), Gen.int(in: 0...2), Gen.bool) { lines, end, bom in
            let text = (bom ? "\u{FEFF}" : "") + lines.joined(separator: Self.lineEnds[end])
            #expect(textLines(text).map(String.init) == lines, "\(text.debugDescription)")
        }
    }

    @Test func annotationListsReadBackWithAnySpacingCommentsAndLineEnds() async {
        let scratch = Scratch()
        let id = Gen.letterOrNumber.string(of: 1...10)
        let clip = zip(id, Gen.int(in: 0...5000), Gen.int(in: 0...6), Gen.element(of: [" ", "\t", "  ", " \t "]), Gen.bool)
        await propertyCheck(count: 200, input: clip.array(of: 1...12), Gen.int(in: 0...2), Gen.bool) { clips, end, bom in
            var seen = Set<String>(), lines: [String] = [], expected: [ClipRecord] = []
            for (n, (id, frames, label, gap, comment)) in clips.enumerated() where seen.insert(id).inserted {
                if comment { lines.append(n % 2 == 0 ? "# clip \(id)" : "") }
                lines.append("clips/\(id)\(gap!)\(frames)\(gap!)\(label)")
                expected.append(ClipRecord(id: id, path: "/data/clips/\(id)", declaredFrames: frames, label: label))
            }
            let file = scratch.write("list.txt", (bom ? "\u{FEFF}" : "") + lines.joined(separator: Self.lineEnds[end]))
            let (read, skipped) = try AnnotationList.read(file, root: "/data", classCount: 7)
            #expect(read == expected && skipped == 0, "\(lines)")
        }
    }
}

@Suite struct AnnotationPathTests {
    /// The annotations fuzz target's crash: "//Đ 8 3" made Foundation's lastPathComponent trap.
    @Test func aDoubledSlashBeforeANonASCIINameIsReadNotACrash() throws {
        let scratch = Scratch()
        let file = scratch.write("list.txt", "//Đ 8 3\nclips//é.avi 4 1\n")
        let (clips, _) = try AnnotationList.read(file, root: "/data", classCount: 7)
        #expect(clips.map(\.id) == ["Đ", "é"] && clips.map(\.label) == [3, 1])
    }
}
