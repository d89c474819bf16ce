import ArgumentParser
import Datasets
import Face
import Foundation
import Media

/// `finecliper landmarks CLIP`: per-frame face box and 68 landmarks as CSV, optionally drawn on video.
struct LandmarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landmarks",
        abstract: "Track a face through a video or frame folder: box, confidence and 68 landmarks per frame.",
        discussion: """
            CSV columns (OpenFace/py-feat style): frame, timestamp, success, confidence, face_x, face_y, \
            face_width, face_height, x_0 … x_67, y_0 … y_67. Frames without a face have success 0 and \
            empty coordinates.
            """)

    @Argument(help: "A video file or a folder of frame images.")
    var clip: String

    @Option(help: "Write the CSV here instead of standard output.")
    var csv: String?

    @Option(help: "Also write a video with the landmarks drawn (MP4).")
    var render: String?

    @Flag(help: "Do not smooth landmarks over time.")
    var noSmoothing = false

    func run() throws {
        let tracker = try FaceTools.tracker()
        tracker.smoothing = !noSmoothing
        let source = try FaceTools.open(clip)
        var lines = ["frame,timestamp,success,confidence,face_x,face_y,face_width,face_height," + LandmarksFile.coordinateHeader]
        var writer: VideoWriter? = nil
        let bar = ProgressBar(label: "landmarks")
        let failed = try source.forEachFrame { i, t, image in
            let r = try tracker.process(image, frame: i, timestamp: t)
            var fields = [String(i), String(format: "%.4f", t), r.success ? "1" : "0", String(format: "%.3f", r.confidence)]
            if let b = r.box, r.success {
                fields += [b.left, b.top, b.width, b.height].map(String.init) + LandmarksFile.coordinateFields(r.points)
            } else {
                fields += Array(repeating: "", count: 4) + LandmarksFile.coordinateFields(nil)
            }
            lines.append(fields.joined(separator: ","))
            if let render {
                if writer == nil { writer = try VideoWriter(path: render, width: image.width, height: image.height, frameRate: source.frameRate) }
                try writer!.append(r.success ? LandmarkRender.dots(on: image, points: r.points) : image)
            }
            bar.update(i + 1, of: source.frameCount)
        }
        bar.finish()
        try writer?.finish()
        let text = lines.joined(separator: "\n") + "\n"
        if let csv {
            try AtomicFileWrite.text(text, to: csv)
        } else {
            print(text, terminator: "")
        }
        if !failed.isEmpty { FileHandle.standardError.write(Data("\(failed.count) frame(s) could not be decoded\n".utf8)) }
    }
}
