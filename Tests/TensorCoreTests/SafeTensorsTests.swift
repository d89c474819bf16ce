import Foundation
import Testing
@testable import TensorCore

@Suite struct SafeTensorsTests {
    let dir = TemporaryDirectory()

    /// A file made of a declared header length, header text and data bytes.
    func rawFile(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil, headerBytes: [UInt8]? = nil) -> String {
        let h = headerBytes ?? Array(header.utf8)
        var bytes = withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { Array($0) }
        bytes += h + data
        let path = dir.file(UUID().uuidString + ".safetensors")
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func openError(_ path: String) -> SafeTensorsError? {
        do { _ = try SafeTensorsFile(path: path); return nil } catch let e as SafeTensorsError { return e } catch { return nil }
    }

    @Test func roundTripKeepsValuesShapesAndMetadata() throws {
        var w = SafeTensorsWriter(metadata: ["config": "{\"width\": 64}", "format": "pt"])
        let a = DeterministicParameters.tensor("a", [3, 5]), b = DeterministicParameters.tensor("b", [7])
        w.add("layer.weight", a)
        w.add("layer.bias", b)
        w.add("empty", Tensor(zeros: [0, 4]))
        w.add("labels", int64s: [3, -1, 1 << 40])
        let path = dir.file("model.safetensors")
        try w.write(to: path)
        let f = try SafeTensorsFile(path: path)
        #expect(f.metadata == ["config": "{\"width\": 64}", "format": "pt"])
        #expect(try f.tensor("layer.weight") == a)
        #expect(try f.tensor("layer.bias") == b)
        #expect(try f.tensor("empty").shape == [0, 4])
        #expect(try f.integers("labels") == [3, -1, 1 << 40])
        #expect(Set(f.names) == ["layer.weight", "layer.bias", "empty", "labels"])
        // The header is padded so that data starts 8-byte aligned and F32 tensors are borrowed.
        #expect(f.dataStart % 8 == 0)
        #expect(try f.tensor("layer.weight").storage.isBorrowed)
        #expect(throws: SafeTensorsError.missingTensor(path: path, name: "nope")) { try f.tensor("nope") }
        #expect(throws: SafeTensorsError.self) { try f.integers("layer.bias") }
    }

    @Test func halfTensorsAreWrittenAsF16() throws {
        var w = SafeTensorsWriter()
        let a = DeterministicParameters.tensor("a", [4, 6])
        w.add("h", half: a)
        w.add("f", a)
        let path = dir.file("half.safetensors")
        try w.write(to: path)
        let f = try SafeTensorsFile(path: path)
        #expect(try f.tensor("h").scalars == a.scalars.map { Float(Float16($0)) })
        #expect(try f.tensor("f") == a)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 8 + 400 + 24 * 6)
    }

    @Test func borrowedTensorsCopyOnWriteAndOutliveTheirFile() throws {
        var w = SafeTensorsWriter()
        w.add("x", Tensor(shape: [2], values: [1, 2]))
        let path = dir.file("cow.safetensors")
        try w.write(to: path)
        var t = try SafeTensorsFile(path: path).tensor("x")   // the file value is gone after this line
        t[0] = 5
        #expect(t.scalars == [5, 2])
        #expect(try SafeTensorsFile(path: path).tensor("x").scalars == [1, 2])
    }

    @Test func halfPrecisionIntegerAndDoubleTypesConvertOnLoad() throws {
        // F16 1.5 = 0x3E00, -2 = 0xC000; BF16 1.5 = 0x3FC0, -2 = 0xC000; I64 7; F64 0.25; I32 -3
        let header = """
            {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},
             "bf":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},
             "i":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},
             "d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},
             "j":{"dtype":"I32","shape":[1],"data_offsets":[24,28]}}
            """
        var data: [UInt8] = [0x00, 0x3E, 0x00, 0xC0, 0xC0, 0x3F, 0x00, 0xC0]
        data += withUnsafeBytes(of: Int64(7).littleEndian) { Array($0) }
        data += withUnsafeBytes(of: Double(0.25).bitPattern.littleEndian) { Array($0) }
        data += withUnsafeBytes(of: Int32(-3).littleEndian) { Array($0) }
        let f = try SafeTensorsFile(path: rawFile(header, data: data))
        #expect(try f.tensor("h").scalars == [1.5, -2])
        #expect(try f.tensor("bf").scalars == [1.5, -2])
        #expect(try f.tensor("i").scalars == [7] && (try f.integers("i")) == [7])
        #expect(try f.tensor("d").scalars == [0.25])
        #expect(try f.integers("j") == [-3])
    }

    @Test func unalignedF32DataIsCopiedNotMisread() throws {
        // Header of 3 bytes + 1 pad byte of data: the tensor starts at file offset 12 → aligned;
        // with a 5-byte header it starts at 13 → unaligned, and must still read correctly.
        let header = #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let padded = header + " "
        let value = withUnsafeBytes(of: Float(3.25).bitPattern.littleEndian) { Array($0) }
        for h in [header, padded] {
            let t = try SafeTensorsFile(path: rawFile(h, data: value)).tensor("x")
            #expect(t.scalars == [3.25])
        }
    }

    // MARK: Malformed files: each gives its typed error and never crashes.

    @Test func missingFileAndDirectory() {
        guard case .cannotOpen = openError(dir.file("absent.safetensors")) else { Issue.record("missing file"); return }
        guard case .cannotOpen = openError(dir.path) else { Issue.record("directory"); return }
    }

    @Test func truncatedBeforeTheHeaderLength() {
        let path = dir.file("short.safetensors")
        FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))
        #expect(openError(path) == .truncated(path: path, size: 3))
        let empty = dir.file("empty.safetensors")
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(openError(empty) == .truncated(path: empty, size: 0))
    }

    @Test func headerLengthPastTheEnd() {
        let path = rawFile("{}", declaredLength: 5000)
        #expect(openError(path) == .headerPastEnd(path: path, headerLength: 5000, fileSize: 10))
    }

    @Test func hugeHeaderLengthIsRejectedWithoutAllocating() throws {
        let path = rawFile("{}", declaredLength: UInt64.max)
        #expect(openError(path) == .headerPastEnd(path: path, headerLength: UInt64.max, fileSize: 10))
        // A sparse 101 MB file whose declared header fits in it but exceeds the 100 MB limit.
        let big = rawFile("{}", declaredLength: 100_000_001)
        let handle = try #require(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: 101_000_000)
        try handle.close()
        #expect(openError(big) == .headerTooLarge(path: big, headerLength: 100_000_001, limit: 100_000_000))
    }

    @Test func headerThatIsNotUTF8() {
        let path = rawFile("", headerBytes: [0x7B, 0xFF, 0xFE, 0x7D])
        #expect(openError(path) == .headerNotUTF8(path: path))
    }

    @Test func headerThatIsNotJSONOrNotAnObject() {
        for header in ["{\"a\": ", "not json at all", "[1, 2, 3]", "\"text\""] {
            guard case .headerNotJSON = openError(rawFile(header)) else { Issue.record("accepted header \(header)"); continue }
        }
    }

    @Test func malformedEntries() {
        let bad = [
            #"{"x": 5}"#,
            #"{"x": {"shape": [1], "data_offsets": [0, 4]}}"#,
            #"{"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,
            #"{"x": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#,
            #"{"x": {"dtype": "F32", "shape": ["1"], "data_offsets": [0, 4]}}"#,
            #"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#,
            #"{"x": {"dtype": "F32", "shape": [1], "data_offsets": "0,4"}}"#,
            #"{"__metadata__": {"k": 5}}"#,
            #"{"__metadata__": [1]}"#,
        ]
        for header in bad {
            guard case .malformedEntry = openError(rawFile(header, data: [0, 0, 0, 0])) else {
                Issue.record("accepted \(header): \(String(describing: openError(rawFile(header, data: [0, 0, 0, 0]))))"); continue
            }
        }
    }

    @Test func unsupportedDType() {
        let path = rawFile(#"{"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}"#, data: Array(repeating: 0, count: 8))
        #expect(openError(path) == .unsupportedDType(path: path, tensor: "x", dtype: "C64"))
    }

    @Test func offsetsOutOfRangeOrReversed() {
        let past = rawFile(#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0, 0])
        #expect(openError(past) == .offsetsOutOfRange(path: past, tensor: "x", begin: 0, end: 8, dataSize: 4))
        let reversed = rawFile(#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}"#, data: [0, 0, 0, 0])
        guard case .offsetsOutOfRange = openError(reversed) else { Issue.record("reversed offsets accepted"); return }
        let negative = rawFile(#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, data: [0, 0, 0, 0])
        guard case .offsetsOutOfRange = openError(negative) else { Issue.record("negative offsets accepted"); return }
    }

    @Test func truncatedDataSection() throws {
        var w = SafeTensorsWriter()
        w.add("w", DeterministicParameters.tensor("w", [64]))
        let full = try w.encoded()
        let path = dir.file("cut.safetensors")
        FileManager.default.createFile(atPath: path, contents: full.prefix(full.count - 10))
        guard case .offsetsOutOfRange(_, "w", 0, 256, 246) = openError(path) else {
            Issue.record("truncated data: \(String(describing: openError(path)))"); return
        }
    }

    @Test func overlappingTensors() {
        let path = rawFile(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#,
                           data: Array(repeating: 0, count: 12))
        #expect(openError(path) == .overlapping(path: path, first: "a", second: "b"))
    }

    @Test func byteCountDisagreesWithShape() {
        let path = rawFile(#"{"x": {"dtype": "F16", "shape": [3], "data_offsets": [0, 8]}}"#, data: Array(repeating: 0, count: 8))
        #expect(openError(path) == .byteCountMismatch(path: path, tensor: "x", dtype: "F16", shape: [3], expected: 6, actual: 8))
    }

    @Test func impossiblyLargeDeclaredShape() {
        let path = rawFile(#"{"x": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
        #expect(openError(path) == .sizeOverflow(path: path, tensor: "x", shape: [4294967296, 4294967296, 16]))
        let hidden = rawFile(#"{"x": {"dtype": "F32", "shape": [0, 1099511627776, 1099511627776], "data_offsets": [0, 0]}}"#)
        #expect(openError(hidden) == .sizeOverflow(path: hidden, tensor: "x", shape: [0, 1099511627776, 1099511627776]))
        let astronomical = rawFile(#"{"x": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
        guard case .malformedEntry = openError(astronomical) else { Issue.record("1e30 accepted"); return }
    }

    @Test func headerOneByteShortIsRefusedNotShifted() throws {
        // The declared header length is one byte short: the data section starts one byte early
        // and one byte is left over at its end, so every tensor would be read shifted by a byte.
        let header = #"{"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#
        let path = rawFile(header + " ", data: [1, 2, 3, 4])
        #expect(try SafeTensorsFile(path: path).bytes("x") == [1, 2, 3, 4])
        let short = rawFile(header + " ", data: [1, 2, 3, 4], declaredLength: UInt64(header.utf8.count))
        guard case .uncoveredData = openError(short) else { Issue.record("\(String(describing: openError(short)))"); return }
        let gap = rawFile(#"{"x":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#, data: [1, 2, 3, 4])
        #expect(openError(gap) == .gap(path: gap, tensor: "x", begin: 2, expected: 0))
        let tail = rawFile(#"{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2, 3, 4])
        #expect(openError(tail) == .uncoveredData(path: tail, covered: 2, dataSize: 4))
    }

    @Test func duplicateKeysBooleansAndNullMetadata() throws {
        let dup = rawFile(#"{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: [1, 2])
        guard case let .headerNotJSON(_, detail) = openError(dup), detail.contains("duplicate key \"x\"") else {
            Issue.record("duplicate tensor accepted: \(String(describing: openError(dup)))"); return
        }
        let boolean = rawFile(#"{"x":{"dtype":"U8","shape":[true,2],"data_offsets":[0,2]}}"#, data: [1, 2])
        guard case .malformedEntry = openError(boolean) else { Issue.record("[true, 2] accepted as a shape"); return }
        let nullMetadata = rawFile(#"{"__metadata__":null,"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [7])
        let f = try SafeTensorsFile(path: nullMetadata)
        #expect(f.metadata.isEmpty)
        #expect(try f.bytes("x") == [7])
    }

    @Test func f64ValuesBeyondFloat32AreCounted() throws {
        var data: [UInt8] = []
        for d in [1.0, 1e300, -1e39, 3.0e38] { data += withUnsafeBytes(of: d.bitPattern.littleEndian) { Array($0) } }
        let f = try SafeTensorsFile(path: rawFile(#"{"d":{"dtype":"F64","shape":[4],"data_offsets":[0,32]}}"#, data: data))
        #expect(try f.float32Overflows("d") == 2)
        #expect(try f.tensor("d").scalars[1] == .infinity)
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let fifo = dir.file("pipe.safetensors")
        #expect(mkfifo(fifo, 0o600) == 0)
        guard case let .cannotOpen(_, reason) = openError(fifo) else { Issue.record("FIFO opened"); return }
        #expect(reason == "not a regular file")
    }

    @Test func strictJSONReadsWhatFoundationReadsAndBoundsNesting() throws {
        let text = #"{"a": [1, -2.5e3, "s\u00e9\n\ud83d\ude00", true, false, null], "b": {}}"#
        guard case let .object(members) = try StrictJSON.parse(Array(text.utf8)) else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b"])
        #expect(members[0].value == .array([.number("1"), .number("-2.5e3"), .string("sé\n😀"), .bool(true), .bool(false), .null]))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse(Array(deep.utf8)) }
        for bad in ["01", "1.", #""\u12""#, "[1,]", "{\"a\" 1}", "\"\u{1}\"", "tru", "\"\\ud800\"", "1 2"] {
            #expect(throws: StrictJSON.SyntaxError.self, "\(bad)") { try StrictJSON.parse(Array(bad.utf8)) }
        }
    }

    @Test func errorsNameTheFileAndTheProblem() {
        let path = rawFile("{}", declaredLength: 99)
        let text = openError(path)?.description ?? ""
        #expect(text.contains(path) && text.contains("past the end"))
    }

    @Test func writingIsAtomicAndReportsFailures() throws {
        let path = dir.file("ckpt.safetensors")
        var w = SafeTensorsWriter()
        w.add("x", Tensor(shape: [1], values: [1]))
        try w.write(to: path)
        w.add("x", Tensor(shape: [1], values: [2]))
        try w.write(to: path)
        #expect(try SafeTensorsFile(path: path).tensor("x").scalars == [2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }.isEmpty)
        #expect(throws: SafeTensorsError.self) { try w.write(to: dir.file("no/such/dir/x.safetensors")) }
    }

    @Test func readsTheFilesPythonWrites() throws {
        // The fixture was written by the `safetensors` Python package.
        let f = try Fixtures.open("tensor_ops.safetensors")
        #expect(f.entries.count > 100)
        #expect(f.metadata["generator"] == "Tests/Reference/tensor_ops.py")
    }
}
