import CLIP
import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore

/// What a run is made of, apart from optimisation: the dataset's splits, the frozen CLIP and the
/// FineCLIPER model on it, the class prompts, the clip loader and (cached mode) the feature
/// cache. The trainer trains one; `eval` builds one from a run's configuration and a checkpoint.
public final class Experiment {
    public let config: TrainConfig
    public let model: FineCLIPERModel
    public let classes: [String]
    public let train: [ClipRecord]
    public let validation: [ClipRecord]
    public let test: [ClipRecord]
    public let source: ModelSource
    public let prompts: ClassPrompts
    let loader: ClipLoader
    let cache: FeatureCache?
    /// The feature cache's folder (cached mode).
    public var cacheFolder: String? { cache?.folder }
    /// Where skipped clips are reported (the run's event log while training).
    var onSkip: (ClipRecord, Error) -> Void = { _, _ in }

    /// `embeddedFolder` is where the model name "embedded" is found.
    public init(config: TrainConfig, bpeFile: String, faceModels: FaceModels?, cacheRoot: String = FeatureCache.defaultRoot,
                embeddedFolder: String = ModelSource.embeddedCLIP) throws {
        if let problem = config.validate() { throw TrainError.badConfig(problem) }
        self.config = config
        let fm = FileManager.default
        // Data.
        let format: DatasetFormat
        if let name = config.format {
            guard let f = DatasetFormat(rawValue: name) else { throw TrainError.badConfig("unknown dataset format \(name)") }
            format = f
        } else {
            guard let f = DatasetFormat.detect(root: config.data) else { throw DatasetError.unknownFormat(path: config.data) }
            format = f
        }
        let splits = try format.open(root: config.data, fold: config.fold)
        classes = splits.classes
        let allTrain = splits.splits["train"] ?? [], testClips = splits.splits["test"] ?? []
        guard !allTrain.isEmpty else { throw TrainError.noClips(split: "train") }
        if config.selection == .validation {
            let splitSeed = config.validationSeed ?? config.seed
            (train, validation) = Self.carveValidation(allTrain, fraction: config.validationFraction, seed: splitSeed, classes: classes.count)
        } else {
            (train, validation) = (allTrain, testClips)
        }
        test = testClips
        let descriptionsFile = splits.root + "/descriptions.jsonl"
        let descriptions = fm.fileExists(atPath: descriptionsFile) ? try DescriptionStore(path: descriptionsFile) : nil

        // Model.
        source = try ModelSource(config.model, bpeFile: bpeFile, embeddedFolder: embeddedFolder)
        let nouns = classes.count == 7 ? FineCLIPERConfig.sevenClassNouns : classes.count == 11 ? FineCLIPERConfig.elevenClassNouns : classes.map { $0.lowercased() }
        var modelConfig = FineCLIPERConfig(clip: source.clip.config, variant: config.variant, classNames: nouns)
        modelConfig.adapters.visualAdaptersOff = config.mode == .cached
        modelConfig.modalityDropout = config.modalityDropout
        modelConfig.landmarkInput = config.landmarkInput
        if config.frames > modelConfig.temporal.maxFrames { modelConfig.temporal.maxFrames = config.frames }
        model = try FineCLIPERModel(config: modelConfig, clip: source.clip)
        model.initialize(seed: config.seed)
        prompts = ClassPrompts(config: modelConfig, tokenizer: source.tokenizer)
        let tokenize: @Sendable (String) -> [Int] = { [source] in source.tokenize($0) }
        loader = ClipLoader(streams: config.variant.streams, size: source.clip.config.vision.imageSize, frames: config.frames,
                            augmentation: config.augment ? Self.augmentation(for: splits.name) : nil, datasetRoot: splits.root,
                            descriptions: descriptions, faceModels: faceModels,
                            landmarkCache: faceModels?.fingerprint.map { LandmarkCache(root: cacheRoot, faceModels: $0, dataset: splits.root) },
                            describeMissing: config.variant.usesDescriptions, landmarkPoints: modelConfig.readsLandmarkPoints,
                            tokenize: tokenize)
        if config.mode == .cached {
            // Not keyed by the variant's streams: each file holds every stream computed for its clip
            // so far, and a variant adds only those it lacks (an ablation reuses `all`'s frames).
            let key = [source.fingerprint, URL(fileURLWithPath: splits.root).standardizedFileURL.path, "\(loader.size)", "\(config.frames)",
                       "\(config.normalize)", "test-sampling"].joined(separator: "|")
            cache = FeatureCache(root: cacheRoot, key: key)
        } else {
            cache = nil
        }

    }

    /// Mixed into a clip's seed for its points' augmentation draws.
    static let pointDraws: UInt64 = 0x706f_696e_7473

    static func augmentation(for dataset: String) -> ClipAugmentation {
        switch dataset.uppercased() {
        case let n where n.hasPrefix("FERV"): return .ferv39k
        case let n where n.hasPrefix("MAFW"): return .mafw
        default: return .dfew
        }
    }

    /// A stratified hold-out: `fraction` of each class (at least one clip of any class with two
    /// or more), chosen by a generator seeded from `seed`.
    static func carveValidation(_ clips: [ClipRecord], fraction: Double, seed: UInt64, classes: Int) -> ([ClipRecord], [ClipRecord]) {
        var g = SeededGeneratorFactory.make(seed, 0x5641_4C)
        var held = Set<Int>()
        for c in 0..<classes {
            var members = clips.indices.filter { clips[$0].label == c }
            members.shuffle(using: &g)
            guard members.count >= 2 else { continue }
            let n = max(1, Int((Double(members.count) * fraction).rounded()))
            held.formUnion(members.prefix(n))
        }
        return (clips.indices.filter { !held.contains($0) }.map { clips[$0] }, held.sorted().map { clips[$0] })
    }

    // MARK: Data

    /// The model inputs of `clips`; a clip that cannot be read is logged and left out (nil when
    /// none is left). `seeds` drive each clip's sampling and augmentation; nil seeds = evaluation.
    func makeBatch(_ clips: [ClipRecord], seeds: [UInt64]?) throws -> (batch: ClipBatch, ids: [String])? {
        var loaded: [LoadedClip] = []
        var features: [[VisualStream: Tensor]] = []
        var keptSeeds: [UInt64] = []
        for (i, clip) in clips.enumerated() {
            do {
                if let cache {
                    features.append(try cachedFeatures(clip, cache: cache))
                    loaded.append(loader.descriptionOnly(clip))
                } else {
                    var g: SeededGenerator? = seeds.map { SeededGenerator(seed: $0[i]) }
                    loaded.append(try loader.load(clip, generator: &g))
                }
                if let seeds { keptSeeds.append(seeds[i]) }
            } catch {
                onSkip(clip, error)
            }
        }
        guard !loaded.isEmpty else { return nil }
        let t = config.frames
        var streams: [VisualStream: StreamInput] = [:]
        for s in config.variant.streams {
            if s == .landmarks && loader.landmarkPoints {
                var points = cache != nil ? features.map { $0[s]! } : loaded.map { $0.points! }
                if let augmentation = config.pointAugmentation, config.augment, seeds != nil {
                    // Draws of their own, so that the frames' sampling and augmentation stay as without.
                    points = points.indices.map { i in
                        var g = SeededGenerator(seed: splitMix64(keptSeeds[i] ^ Self.pointDraws))
                        return augmentation.apply(points[i], using: &g)
                    }
                }
                streams[s] = .points(concat(points.map { $0.reshaped([1, t, -1]) }, axis: 0))
            } else if cache != nil {
                streams[s] = .features(concat(features.map { $0[s]!.reshaped([1, t, -1]) }, axis: 0))
            } else {
                streams[s] = .images(concat(loaded.map { ClipTensor.make($0.streams[s]!, normalize: config.normalize) }, axis: 0))
            }
        }
        return (ClipBatch(clips: loaded.count, frames: t, streams: streams, descriptions: loaded.map(\.description), labels: loaded.map(\.label)),
                loaded.map(\.id))
    }

    /// A clip's frozen frame embeddings per stream, computed once (test-time sampling, no
    /// augmentation) and kept in the cache beside the streams other variants stored; a landmark
    /// stream that reads points keeps its points' rows instead.
    func cachedFeatures(_ clip: ClipRecord, cache: FeatureCache) throws -> [VisualStream: Tensor] {
        let stamp = loader.stamp(clip)
        var stored = cache.load(clip.id, stamp: stamp) ?? [:]
        let missing = config.variant.streams.filter { stored[cacheName($0)] == nil }
        if !missing.isEmpty {
            var none: SeededGenerator? = nil
            let loaded = try loader.load(clip, generator: &none)
            for s in missing {
                if s == .landmarks && loader.landmarkPoints {
                    stored[cacheName(s)] = loaded.points!
                } else {
                    stored[s.rawValue] = source.clip.encodeImages(ClipTensor.make(loaded.streams[s]!, normalize: config.normalize)).value
                }
            }
            try cache.store(clip.id, stored, stamp: stamp)
        }
        return Dictionary(uniqueKeysWithValues: config.variant.streams.map { ($0, stored[cacheName($0)]!) })
    }

    /// A stream's name in the feature cache: the landmark stream's points are not its CLIP
    /// features, and rows of another revision of `LandmarkPoints` are not these.
    func cacheName(_ s: VisualStream) -> String {
        s == .landmarks && loader.landmarkPoints ? "landmark-" + LandmarkPoints.revision : s.rawValue
    }

    /// Builds the feature cache for `clips` (cached mode); returns how many were computed.
    @discardableResult
    public func buildCache(_ clips: [ClipRecord], progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        guard let cache else { return 0 }
        var computed = 0
        for (i, clip) in clips.enumerated() {
            if !cache.contains(clip.id, stamp: loader.stamp(clip), streams: config.variant.streams.map(cacheName)) {
                do { _ = try cachedFeatures(clip, cache: cache); computed += 1 } catch { onSkip(clip, error) }
            }
            progress?(i + 1, clips.count)
        }
        return computed
    }

    // MARK: Evaluation

    /// `evaluate` split across the job's processes: each takes a contiguous run of whole batches
    /// (so every batch holds the clips it holds in one process, and the outputs are identical),
    /// and rank 0 gets every clip's output in the order of `clips` (nil on the other ranks).
    public func evaluate(_ clips: [ClipRecord], communicator: Communicator, batch: Int = 8, progress: ((Int) -> Void)? = nil) throws
        -> (ConfusionMatrix, [(id: String, label: Int, output: ModelOutput)])? {
        guard communicator.size > 1 else { return try evaluate(clips, batch: batch, progress: progress) }
        struct Item: Codable { let id: String; let label: Int; let output: ModelOutput }
        let batches = communicator.shard(of: (clips.count + batch - 1) / batch)
        let mine = Array(clips[min(clips.count, batches.lowerBound * batch)..<min(clips.count, batches.upperBound * batch)])
        let (_, outputs) = try evaluate(mine, batch: batch, progress: progress)
        let bytes = try JSONEncoder().encode(outputs.map { Item(id: $0.id, label: $0.label, output: $0.output) })
        guard let parts = try communicator.gather(bytes) else { return nil }
        let all = try parts.flatMap { try JSONDecoder().decode([Item].self, from: $0) }
        var matrix = ConfusionMatrix(classes: classes.count)
        for item in all { matrix.add(truth: item.label, prediction: item.output.predictions[0]) }
        return (matrix, all.map { ($0.id, $0.label, $0.output) })
    }

    /// Confusion matrix and per-clip outputs over `clips` (test-time sampling, no augmentation).
    public func evaluate(_ clips: [ClipRecord], batch: Int = 8, progress: ((Int) -> Void)? = nil) throws -> (ConfusionMatrix, [(id: String, label: Int, output: ModelOutput)]) {
        var matrix = ConfusionMatrix(classes: classes.count)
        var outputs: [(String, Int, ModelOutput)] = []
        var start = 0
        while start < clips.count {
            let part = Array(clips[start..<min(start + batch, clips.count)])
            start += batch
            guard let (b, ids) = try makeBatch(part, seeds: nil) else { continue }
            let out = try model.forward(b, prompts: prompts).output
            for (i, p) in out.predictions.enumerated() {
                matrix.add(truth: b.labels![i], prediction: p)
            }
            // Per-clip slices of the batch output, for predictions files.
            for i in 0..<b.clips { outputs.append((ids[i], b.labels![i], out.clip(i))) }
            progress?(min(start, clips.count))
        }
        return (matrix, outputs)
    }

}
