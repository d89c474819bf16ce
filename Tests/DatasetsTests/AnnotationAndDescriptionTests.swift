import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite struct AnnotationListTests {
    let scratch = Scratch()

    @Test func readsRelativeAndAbsolutePaths() throws {
        let file = scratch.write("list.txt", """
            # DFER-CLIP style
            DFEW_Frame_Face/00001 16 0
            /abs/data/00002\t25 6

            faces/00003 9 3
            """)
        let (clips, skipped) = try AnnotationList.read(file, root: "/data/root", classCount: 7)
        #expect(skipped == 0 && clips.count == 3)
        #expect(clips[0] == ClipRecord(id: "00001", path: "/data/root/DFEW_Frame_Face/00001", declaredFrames: 16, label: 0))
        #expect(clips[1].path == "/abs/data/00002" && clips[1].label == 6 && clips[1].declaredFrames == 25)
        #expect(AnnotationList.format(clips, root: "/data/root").hasPrefix("DFEW_Frame_Face/00001 16 0\n/abs/data/00002 25 6\n"))
    }

    @Test func aBadLineNamesFileAndLineOrIsSkippedAndCounted() throws {
        let file = scratch.write("bad.txt", "a 16 0\nb sixteen 1\nc 16 9\nd 16\ne 16 2 extra\nf 3 1\n")
        #expect(throws: DatasetError.badLine(file: file, line: 2, reason: "frame count \"sixteen\" is not a non-negative integer")) {
            try AnnotationList.read(file, root: "/r", classCount: 7)
        }
        let (clips, skipped) = try AnnotationList.read(file, root: "/r", classCount: 7, skipBadLines: true)
        #expect(clips.map(\.id) == ["a", "f"] && skipped == 4)
        do {
            _ = try AnnotationList.read(scratch.write("label.txt", "x 5 7\n"), root: "/r", classCount: 7)
        } catch let e as DatasetError {
            #expect(e.description.hasSuffix("label.txt:1: label 7 is outside 0…6"))
        }
        #expect(throws: DatasetError.self) { try AnnotationList.read(scratch.dir + "/none.txt", root: "/r", classCount: 7) }
    }

    @Test func windowsAndOldMacLineEndsAndAByteOrderMark() throws {
        for (name, text) in [("crlf.txt", "a 16 0\r\nb 16 1\r\nc 9 2\r\n"), ("cr.txt", "a 16 0\rb 16 1\rc 9 2"),
                             ("bom.txt", "\u{FEFF}a 16 0\nb 16 1\nc 9 2\n")] {
            let (clips, skipped) = try AnnotationList.read(scratch.write(name, text), root: "/r", classCount: 7)
            #expect(clips.map(\.id) == ["a", "b", "c"] && clips.map(\.label) == [0, 1, 2] && skipped == 0, "\(name)")
        }
        // A bad line in a CRLF file is reported on its own line number.
        let bad = scratch.write("badcrlf.txt", "a 16 0\r\nb x 1\r\n")
        #expect(throws: DatasetError.badLine(file: bad, line: 2, reason: "frame count \"x\" is not a non-negative integer")) {
            try AnnotationList.read(bad, root: "/r", classCount: 7)
        }
    }

    @Test func aClipListedTwiceIsAnError() throws {
        let file = scratch.write("dup.txt", "faces/a 16 0\nfaces/b 16 1\nother/a 12 3\n")
        #expect(throws: DatasetError.duplicateID(file: file, line: 3, id: "a", firstLine: 1)) {
            try AnnotationList.read(file, root: "/r", classCount: 7)
        }
        let (clips, skipped) = try AnnotationList.read(file, root: "/r", classCount: 7, skipBadLines: true)
        #expect(clips.map(\.id) == ["a", "b"] && skipped == 1)
    }
}

@Suite struct CSVTableTests {
    @Test func quotesCommasNewlinesAndCRLF() throws {
        let rows = try CSVTable.parse("\u{FEFF}id,text\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\nthere\"\n3,plain\n")
        #expect(rows.map(\.fields) == [["id", "text"], ["1", "a, b"], ["2", "say \"hi\"\nthere"], ["3", "plain"]])
        #expect(rows.map(\.line) == [1, 2, 3, 5])
        #expect(throws: CSVError.self) { try CSVTable.parse("a,\"unterminated\n") }
    }
}

@Suite struct DescriptionStoreTests {
    let scratch = Scratch()

    @Test func jsonLinesAndCSV() throws {
        let jsonl = scratch.write("d.jsonl", """
            {"id": "00001", "description": "The eyebrows rise and the mouth opens."}
            {"id": 2, "text": "Lip corners pull up."}
            """)
        let a = try DescriptionStore(path: jsonl)
        #expect(a["00001"] == "The eyebrows rise and the mouth opens." && a["2"] == "Lip corners pull up.")
        let csv = scratch.write("d.csv", "clip,description\n00001,\"Brows lower, lips press.\"\n")
        #expect(try DescriptionStore(path: csv)["00001"] == "Brows lower, lips press.")
    }

    @Test func duplicatesUnknownIDsAndMalformedLines() throws {
        let dup = scratch.write("dup.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n\n{\"id\": \"a\", \"text\": \"y\"}\n")
        #expect(throws: DatasetError.duplicateID(file: dup, line: 3, id: "a", firstLine: 1)) { try DescriptionStore(path: dup) }
        let bad = scratch.write("bad.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\nnot json\n")
        #expect(throws: DatasetError.badLine(file: bad, line: 2, reason: "not a JSON object")) { try DescriptionStore(path: bad) }
        let noText = scratch.write("notext.jsonl", "{\"id\": \"a\"}\n")
        #expect(throws: DatasetError.self) { try DescriptionStore(path: noText) }
        let header = scratch.write("h.csv", "name,words\nx,y\n")
        #expect(throws: DatasetError.self) { try DescriptionStore(path: header) }
        let store = try DescriptionStore(path: scratch.write("ok.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"zz\", \"text\": \"y\"}\n"))
        #expect(throws: DatasetError.unknownIDs(file: store.source, ids: ["zz"])) { try store.validate(against: ["a", "b"]) }
    }
}
