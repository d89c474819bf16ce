import Foundation
import Testing
import TestSupport

/// Every command reports bad input through one path: the error itself (no usage line) and the
/// documented exit status (64 usage, 65 bad data, 66 missing input, 73 cannot create).
@Suite struct ExitStatusTests {
    let scratch = Scratch()

    func run(_ args: String...) throws -> (status: Int32, output: String) { try FinecliperBinary.run(args) }

    @Test func missingInputsExit66() throws {
        let absent = scratch.path("absent")
        for args in [["inspect", absent + ".safetensors"], ["landmarks", absent + ".mp4"], ["clip", "embed", "--model", absent, "text"],
                     ["dataset", "info", "--data", absent]] {
            let r = try FinecliperBinary.run(args)
            #expect(r.status == 66, "\(args): \(r.status) \(r.output)")
            #expect(!r.output.contains("Usage:") && r.output.hasPrefix("finecliper: "), "\(args): \(r.output)")
        }
    }

    @Test func malformedInputsExit65() throws {
        let truncated = scratch.path("cut.safetensors")
        FileManager.default.createFile(atPath: truncated, contents: Data([9, 0, 0, 0, 0, 0, 0, 0, 0x7B]))
        let text = scratch.write("notes.mp4", "just some text\n")
        let list = scratch.write("bad/train.txt", "a 16 0\r\nb x 1\r\n")
        scratch.write("bad/test.txt", "a 16 0\n")
        for args in [["inspect", truncated], ["landmarks", text], ["dataset", "info", "--data", scratch.path("bad"), "--format", "list"]] {
            let r = try FinecliperBinary.run(args)
            #expect(r.status == 65, "\(args): \(r.status) \(r.output)")
            #expect(!r.output.contains("Usage:"), "\(args): \(r.output)")
        }
    }

    @Test func aFIFOIsRefusedAtOnce() throws {
        let fifo = scratch.path("pipe.mp4")
        #expect(mkfifo(fifo, 0o600) == 0)
        let start = Date()
        for args in [["inspect", fifo], ["landmarks", fifo]] {
            let r = try FinecliperBinary.run(args)
            #expect(r.status == 65 && r.output.contains("FIFO") || r.output.contains("not a regular file"), "\(args): \(r.output)")
        }
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func usageErrorsExit64WithTheUsageLine() throws {
        let r = try run("synth", "-o", scratch.path("s"), "--size", "100000")
        #expect(r.status == 64 && r.output.contains("--size"))
        let unknown = try run("inspect", "--no-such-flag", "x")
        #expect(unknown.status == 64 && unknown.output.contains("Usage:"))
    }

    @Test func controlCharactersInMessagesAreEscaped() throws {
        let r = try run("inspect", scratch.path("evil\u{1B}[2Jname.safetensors"))
        #expect(r.status == 66 && !r.output.contains("\u{1B}") && r.output.contains("\\u{1b}[2J"))
    }
}
