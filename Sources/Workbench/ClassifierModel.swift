import Face
import Foundation
import Training
import TensorCore

/// A trained FineCLIPER model loaded for the workbench: the embedded one shipped with the samples,
/// or a checkpoint of `finecliper train`. One forward pass at a time (callers on several threads
/// take turns).
public final class ClassifierModel: @unchecked Sendable {
    let predictor: VideoPredictor
    let lock = NSLock()
    /// Short name for the status bar: "embedded" or the checkpoint's file name.
    public let name: String
    public let checkpoint: String

    /// `checkpoint` nil loads the embedded model from `embeddedCheckpoint` on `embeddedCLIP`.
    public init(checkpoint: String?, embeddedCheckpoint: String, embeddedCLIP: String, bpeFile: String) throws {
        let path = checkpoint ?? embeddedCheckpoint
        predictor = try VideoPredictor(checkpoint: path, bpeFile: bpeFile, embeddedFolder: embeddedCLIP)
        self.checkpoint = path
        name = checkpoint == nil ? "embedded" : PathText.stem(path)
    }

    public var classes: [String] { predictor.classes }
    /// The model's class for a clip's label: the dataset's class index when the dataset has as many
    /// classes as the model (datasets name classes their own way: "Happy" is "happiness"), else the
    /// class of the same name; nil for unlabelled clips.
    public func truth(of entry: ClipEntry, datasetClasses: [String]) -> Int? {
        if let i = entry.labelIndex, datasetClasses.count == classes.count, i < classes.count { return i }
        return entry.label.flatMap { l in classes.firstIndex { $0.lowercased() == l.lowercased() } }
    }

    /// Frames the model samples from a clip.
    public var framesPerClip: Int { predictor.config.frames }

    /// Scores a tracked clip; `frameIndices[k]` is the clip frame of `clip.frames[k]`, and the
    /// clip's first `framesScored` frames are what was seen (by default up to the last crop's).
    public func score(_ clip: FaceClip, frameIndices: [Int], framesScored: Int? = nil, window: Int = 4) throws -> ClipScores {
        try lock.withLock {
            let (output, sampled) = try predictor.predict(clip, windowFrames: window)
            let phrases = predictor.phrases(clip)
            return ClipScores(output: output, sampled: sampled.map { $0 < frameIndices.count ? frameIndices[$0] : $0 },
                              prompts: predictor.prompts, phrases: phrases, description: clip.description,
                              framesScored: framesScored ?? frameIndices.last.map { $0 + 1 } ?? clip.frames.count)
        }
    }
}

extension ClassifierModel {
    /// The model's verdict on a tracked clip in the format of `finecliper eval`'s predictions
    /// file; `truth` is -1 when the clip's class is not known.
    public func verdict(_ clip: FaceClip, id: String, truth: Int) throws -> ClipPrediction {
        try lock.withLock { ClipPrediction(id: id, truth: truth, output: try predictor.predict(clip, windowFrames: 0).output) }
    }
}

/// One clip's line of a predictions file (`finecliper eval`, or an evaluation in the workbench).
public typealias ClipPrediction = Training.ClipPrediction
/// Counts of (truth, prediction) pairs with UAR and WAR.
public typealias ConfusionMatrix = Training.ConfusionMatrix
