import CLIP
import TensorCore

/// One visual stream of a batch: images for the full model, the frozen CLIP's per-frame
/// embeddings (the trainer's cached mode; only valid with the visual adapters off), or a landmark
/// stream's points.
public enum StreamInput: Sendable {
    /// [B·T, 3, S, S], clip-major (all frames of clip 0, then clip 1, …).
    case images(Tensor)
    /// [B, T, P], projected frame embeddings.
    case features(Tensor)
    /// [B, T, 272], `LandmarkPoints.features` of each clip (the landmark stream of a model whose
    /// landmark input is `points`).
    case points(Tensor)

    var isPoints: Bool { if case .points = self { return true } else { return false } }
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

    /// Clip `i` alone, as a batch of one (views of this batch's tensors).
    public func clip(_ i: Int) -> ClipBatch {
        var one: [VisualStream: StreamInput] = [:]
        for (s, input) in streams {
            switch input {
            case let .images(x): one[s] = .images(x.rows((i * frames)..<((i + 1) * frames)))
            case let .features(x): one[s] = .features(x.rows(i..<(i + 1)))
            case let .points(x): one[s] = .points(x.rows(i..<(i + 1)))
            }
        }
        return ClipBatch(clips: 1, frames: frames, streams: one, descriptions: descriptions.isEmpty ? [] : [descriptions[i]],
                         labels: labels.map { [$0[i]] })
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
/// `firstClip` is the batch's position in a larger batch split across processes (data-parallel
/// training): each clip then draws the masks it would draw in the whole batch.
public enum ForwardMode: Sendable, Equatable {
    case eval
    case train(seed: UInt64, firstClip: Int = 0)
}

/// One process's part of a batch split across processes (data-parallel training). The class
/// loss is a mean over clips, so each shard weighs its own by its share of the clips; the
/// video–description contrastive loss compares every clip with every other, so each shard
/// computes it over the whole batch with the other shards' embeddings gathered as constants:
/// summed over shards, the gradients are those of the whole batch.
public struct BatchShard {
    /// This shard's clips over the whole batch's.
    public var weight: Float
    /// How many shards make the batch.
    public var count: Int
    /// The whole batch's rows of a per-clip [clips, n] tensor, and the row where this shard's start.
    public var gather: (Tensor) throws -> (all: Tensor, first: Int)

    public init(weight: Float, count: Int, gather: @escaping (Tensor) throws -> (all: Tensor, first: Int)) {
        self.weight = weight; self.count = count; self.gather = gather
    }
}

/// The class prompts' embeddings ([classes, P] each, L2-normalised) on some tape: encoded once
/// and handed to several passes, whose gradients for them are summed and sent back through the
/// text tower once.
public struct EncodedPrompts {
    public var positive: Variable
    public var negative: Variable

    public init(positive: Variable, negative: Variable) {
        self.positive = positive
        self.negative = negative
    }
}
