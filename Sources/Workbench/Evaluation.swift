import Face
import Foundation
import Media
import Training

/// The model on every clip of a catalog, in the background, the way the player scores one clip
/// (decode, track, crop, score): the browser shows each verdict as it lands and a progress bar
/// until the last. Clips that cannot be read are counted and named, not fatal.
public final class Evaluation: @unchecked Sendable {
    public struct Progress: Sendable, Equatable {
        public var done: Int
        public var total: Int
        public var current: String?
        public var failures: [String]
        public var finished: Bool
    }

    let lock = NSLock()
    var results: [String: ClipPrediction] = [:]
    var state: Progress
    var cancelled = false
    public let classes: [String]

    public init(clips: [ClipEntry], datasetClasses: [String], model: ClassifierModel, faceModels: FaceModels, folderFrameRate: Double = 25) {
        classes = model.classes
        state = Progress(done: 0, total: clips.count, current: nil, failures: [], finished: false)
        let thread = Thread { [self] in
            let tracker = FaceTracker(detector: faceModels.detector, predictor: faceModels.predictor)
            for entry in clips {
                if lock.withLock({ cancelled }) { break }
                lock.withLock { state.current = entry.id }
                do {
                    let clip = try Self.track(entry.path, tracker: tracker, folderFrameRate: folderFrameRate)
                    let truth = model.truth(of: entry, datasetClasses: datasetClasses) ?? -1
                    let p = try model.verdict(clip, id: entry.id, truth: truth)
                    lock.withLock { results[entry.id] = p }
                } catch {
                    lock.withLock { state.failures.append("\(entry.id): \(error)") }
                }
                lock.withLock { state.done += 1 }
            }
            lock.withLock { state.current = nil; state.finished = true }
        }
        thread.name = "finecliper.evaluation"
        thread.start()
    }

    /// Decodes every frame of a clip through the tracker into the crops the model sees (as many
    /// as live inference keeps).
    static func track(_ path: String, tracker: FaceTracker, folderFrameRate: Double) throws -> FaceClip {
        try FaceClip.track(try openFrameSource(path, frameRate: folderFrameRate), tracker: tracker, limit: FaceClip.scoredCropLimit)
    }

    public var progress: Progress { lock.withLock { state } }
    public var predictions: [String: ClipPrediction] { lock.withLock { results } }
    public func cancel() { lock.withLock { cancelled = true } }
}

/// Reading and writing predictions files (JSON Lines, one `ClipPrediction` per line).
public enum PredictionsFile {
    public struct Contents: Sendable {
        public var predictions: [String: ClipPrediction]
        /// Lines that were not a prediction (1-based), reported, not fatal.
        public var badLines: [Int]
    }

    public static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainError.missing(path: path, what: "a predictions file") }
        var out = Contents(predictions: [:], badLines: [])
        let decoder = JSONDecoder()
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            if let p = try? decoder.decode(ClipPrediction.self, from: Data(line.utf8)), p.classes.count == p.probabilities.count,
               p.prediction >= 0, p.prediction < p.classes.count {
                out.predictions[p.id] = p
            } else {
                out.badLines.append(n + 1)
            }
        }
        guard !out.predictions.isEmpty else { throw TrainError.badConfig("\(path) holds no predictions (is it a finecliper eval predictions file?)") }
        return out
    }
}
