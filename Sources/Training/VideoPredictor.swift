import CLIP
import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore

/// A trained FineCLIPER model on its CLIP, for clips that are not in a dataset: a checkpoint
/// (written by `finecliper train`, carrying its model and training configuration) applied to a
/// `FaceClip` with the evaluation's sampling and preprocessing.
public final class VideoPredictor {
    public let model: FineCLIPERModel
    public let prompts: ClassPrompts
    public let source: ModelSource
    public let config: TrainConfig
    public let checkpoint: String
    public var classes: [String] { model.config.classNames }

    /// `clipModel` overrides the CLIP named in the checkpoint's training configuration.
    public init(checkpoint: String, clipModel: String? = nil, bpeFile: String, embeddedFolder: String = ModelSource.embeddedCLIP) throws {
        self.checkpoint = checkpoint
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw TrainError.missing(path: checkpoint, what: "a FineCLIPER checkpoint") }
        let file = try SafeTensorsFile(path: checkpoint)
        guard let json = file.metadata["finecliper.train_config"],
              let config = try? JSONDecoder().decode(TrainConfig.self, from: Data(json.utf8)) else {
            throw TrainError.checkpoint(path: checkpoint, reason: "not a training checkpoint of finecliper (no training configuration in its metadata)")
        }
        self.config = config
        source = try ModelSource(clipModel ?? config.model, bpeFile: bpeFile, embeddedFolder: embeddedFolder)
        let modelConfig = try ModelCheckpoint.config(of: file)
        guard modelConfig.clip == source.clip.config else {
            throw TrainError.checkpoint(path: checkpoint, reason: "was trained on another CLIP than \(clipModel ?? config.model)")
        }
        model = try FineCLIPERModel(config: modelConfig, clip: source.clip)
        try ModelCheckpoint.load(into: model, from: file)
        prompts = ClassPrompts(config: modelConfig, tokenizer: source.tokenizer)
    }

    /// The model's output for a clip: test-time sampling of `config.frames` frames, the three
    /// streams rendered from the crop and its landmarks, the clip's description; with
    /// `windowFrames` > 0 also live scores per sampled frame.
    public func predict(_ clip: FaceClip, windowFrames: Int = 4) throws -> (output: ModelOutput, sampled: [Int]) {
        guard !clip.frames.isEmpty else { throw MediaError.noFrames(path: "clip") }
        let indices = FrameSampler.test(frameCount: clip.frames.count, segments: config.frames)
        let size = source.clip.config.vision.imageSize
        var streams: [VisualStream: StreamInput] = [:]
        for s in model.config.variant.streams {
            if s == .landmarks && model.config.readsLandmarkPoints {
                streams[s] = .points(LandmarkPoints.features(indices.map { clip.points[$0] }).reshaped([1, indices.count, -1]))
                continue
            }
            let images = indices.map { i -> RGBImage in
                let image = clip.frames[i], p = clip.points[i]
                switch s {
                case .video: return image
                case .parsing:
                    let map = p.count == 68 ? ParsingMap(landmarks: p, width: image.width, height: image.height)
                                            : ParsingMap(width: image.width, height: image.height, classes: Array(repeating: 0, count: image.width * image.height))
                    return map.overlay(on: image)
                case .landmarks: return LandmarkRender.dots(on: image, points: p)
                }
            }
            streams[s] = .images(ClipTensor.make(ClipAugmentation.test(images, size: size), normalize: config.normalize))
        }
        let batch = ClipBatch(clips: 1, frames: indices.count, streams: streams, descriptions: [source.tokenize(clip.description)])
        let output = try model.forward(batch, prompts: prompts, windowFrames: windowFrames).output
        return (output, indices)
    }
}

extension VideoPredictor {
    /// The phrases the frozen CLIP finds in a clip: the bank ranked by the cosine between each
    /// phrase's text embedding and the mean of the sampled frames' image embeddings (video stream,
    /// no adapters): fine-grained words from the model itself, beside the motion describer's.
    public func phrases(_ clip: FaceClip, bank: [String] = VideoPredictor.phraseBank, top: Int = 3) -> [(phrase: String, score: Float)] {
        guard !clip.frames.isEmpty, !bank.isEmpty else { return [] }
        let indices = FrameSampler.test(frameCount: clip.frames.count, segments: config.frames)
        let images = ClipAugmentation.test(indices.map { clip.frames[$0] }, size: source.clip.config.vision.imageSize)
        let frames = l2Normalize(source.clip.encodeImages(ClipTensor.make(images, normalize: config.normalize)).value)
        let video = l2Normalize(mean(frames, axis: 0).reshaped([1, -1]))
        let texts = l2Normalize(source.clip.encodeTexts(bank.map(source.tokenize)).value)
        let scores = matmul(video, texts, transposeB: true).withUnsafeBufferPointer { Array($0) }
        return scores.indices.sorted { scores[$0] > scores[$1] }.prefix(top).map { (bank[$0], scores[$0]) }
    }

    /// What the embedded model was pretrained to name: every action unit's phrase and a still face.
    public static let phraseBank: [String] = ActionUnit.allCases.map(\.phrase) + ["the face is relaxed and still"]
}
