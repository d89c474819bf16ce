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

    @Option(help: "Output folder (created; existing frames are replaced).")
    var out: String

    @Option(help: "Side of the square face frames in pixels.")
    var size = 224

    func run() throws {
        let tracker = try FaceTools.tracker()
        let source = try FaceTools.open(clip)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var lastBox: FaceBox? = nil, written = 0, reused = 0, pending: [(Int, RGBImage)] = []
        let bar = ProgressBar(label: "cropping")
        try FaceTools.forEachFrame(source) { i, t, image in
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
        print("\(written) face frames of \(size)×\(size) in \(out)" + (reused > 0 ? " (\(reused) without a detected face reuse the nearest box)" : ""))
    }

    func save(_ image: RGBImage, _ box: FaceBox, _ written: inout Int) throws {
        written += 1
        try MediaWriter.writePNG(FaceCrop(box: box, size: size).apply(image), to: out + "/" + String(format: "%05d.png", written))
    }
}
