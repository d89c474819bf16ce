import CLIP
import TensorCore

/// One visual stream of a batch: images for the full model, or the frozen CLIP's per-frame
/// embeddings (the trainer's cached mode; only valid with the visual adapters off).
public enum StreamInput: Sendable {
    /// [B·T, 3, S, S], clip-major (all frames of clip 0, then clip 1, …).
    case images(Tensor)
    /// [B, T, P], projected frame embeddings.
    case features(Tensor)
}

/// What the model reads for B clips of T frames each.
public struct ClipBatch: Sendable {
    public var clips: Int
    public var frames: Int
    public var streams: [VisualStream: StreamInput]
    /// One token sequence per clip (the fine-grained description), for variants that use them.
    public var descriptions: [[Int]]
    /// Class indices, for a loss.
    public var labels: [Int]?

    public init(clips: Int, frames: Int, streams: [VisualStream: StreamInput], descriptions: [[Int]] = [], labels: [Int]? = nil) {
        self.clips = clips
        self.frames = frames
        self.streams = streams
        self.descriptions = descriptions
        self.labels = labels
    }
}

/// The positive and negative prompt of every class, as text and as token ids at their real length
/// (the text tower is causal and reads the end-of-text position, so padding would change nothing
/// but cost).
public struct ClassPrompts: Sendable, Equatable {
    public let positiveTexts: [String]
    public let negativeTexts: [String]
    public let positive: [[Int]]
    public let negative: [[Int]]

    public init(config: FineCLIPERConfig, tokenizer: BPETokenizer) {
        positiveTexts = config.classNames.map(config.positivePrompt)
        negativeTexts = config.classNames.map(config.negativePrompt)
        let context = config.clip.text.contextLength
        positive = positiveTexts.map { tokenizer.tokenize($0, contextLength: context) }
        negative = negativeTexts.map { tokenizer.tokenize($0, contextLength: context) }
    }

    /// Prompts given as ids directly (parity tests).
    public init(positive: [[Int]], negative: [[Int]], positiveTexts: [String] = [], negativeTexts: [String] = []) {
        self.positive = positive
        self.negative = negative
        self.positiveTexts = positiveTexts
        self.negativeTexts = negativeTexts
    }
}

/// Training draws drop-path masks from a seed; evaluation is deterministic and drops nothing.
public enum ForwardMode: Sendable, Equatable {
    case eval
    case train(seed: UInt64)
}
