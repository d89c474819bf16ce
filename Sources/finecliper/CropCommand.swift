import ArgumentParser
import Face
import Foundation
import Media

/// `finecliper crop VIDEO --out DIR`: a DFER-style face clip (a folder of numbered 224×224 face
/// frames) from any video.
struct CropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crop",
        abstract: "Turn a video into a DFER-style folder of face frames (00001.png, 00002.png, …).",
        discussion: "The face is tracked; each frame is cut around its box squared and enlarged 1.5× (as FaceXFormer does) and resized with bicubic resampling. Frames where the face is lost reuse the last box, so the folder stays contiguous.")

    @Argument(help: "A video file or a folder of frame images.")
    var clip: String

    @Option(help: "Output folder (replaced as a whole when the crop succeeds).")
    var out: String

    @Option(help: "Side of the square face frames in pixels (16-2048).")
    var size = 224

    func validate() throws {
        guard (16...2048).contains(size) else { throw ValidationError("--size must be 16…2048") }
    }

    func run() throws {
        let tracker = try FaceTools.tracker()
        let source = try FaceTools.open(clip)
        // Built beside the target and renamed into place, so OUT holds a whole old crop or a whole
        // new one, never a mix with stale frames; an error or Ctrl-C removes the partial folder.
        let final = (out as NSString).standardizingPath
        let partial = final + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw CommandError("\(out): cannot create the output folder (\(error.localizedDescription))", kind: .cannotCreate)
        }
        StopSignal.install()
        defer { try? FileManager.default.removeItem(atPath: partial) }
        var lastBox: FaceBox? = nil, written = 0, reused = 0, pending: [(Int, RGBImage)] = []
        let bar = ProgressBar(label: "cropping")
        let failed = try source.forEachFrame { i, t, image in
            if StopSignal.requested { throw CommandError("interrupted; \(out) is unchanged", kind: .interrupted) }
            let r = try tracker.process(image, frame: i, timestamp: t)
            if r.success, let b = r.box {
                lastBox = b
                // Frames before the first face take its box too.
                for (_, early) in pending { try save(early, b, &written); reused += 1 }
                pending.removeAll()
                try save(image, b, &written)
            } else if let b = lastBox {
                try save(image, b, &written)
                reused += 1
            } else {
                pending.append((i, image))
            }
            bar.update(i + 1, of: source.frameCount)
        }
        bar.finish()
        guard lastBox != nil else { throw CommandError("\(clip): no face found in any frame") }
        try replace(final, with: partial)
        print("\(written) face frames of \(size)×\(size) in \(out)" + (reused > 0 ? " (\(reused) without a detected face reuse the nearest box)" : ""))
        if !failed.isEmpty {
            FileHandle.standardError.write(Data("\(failed.count) frame(s) could not be decoded and are left out: \(failed.prefix(10).map(String.init).joined(separator: ", "))\(failed.count > 10 ? ", …" : "")\n".utf8))
        }
    }

    func save(_ image: RGBImage, _ box: FaceBox, _ written: inout Int) throws {
        written += 1
        let folder = (out as NSString).standardizingPath + ".partial-\(getpid())"
        try MediaWriter.writePNG(FaceCrop(box: box, size: size).apply(image), to: folder + "/" + String(format: "%05d.png", written))
    }

    /// Moves `partial` to `final`, replacing what was there.
    func replace(_ final: String, with partial: String) throws {
        let fm = FileManager.default
        let old = final + ".old-\(getpid())"
        if fm.fileExists(atPath: final) {
            do { try fm.moveItem(atPath: final, toPath: old) } catch {
                throw CommandError("\(final): cannot replace it (\(error.localizedDescription))", kind: .cannotCreate)
            }
        }
        do { try fm.moveItem(atPath: partial, toPath: final) } catch {
            try? fm.moveItem(atPath: old, toPath: final)
            throw CommandError("\(final): cannot create it (\(error.localizedDescription))", kind: .cannotCreate)
        }
        try? fm.removeItem(atPath: old)
    }
}
