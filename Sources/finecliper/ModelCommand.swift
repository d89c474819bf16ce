import ArgumentParser
import CLIP
import FineCLIPER
import Foundation
import TensorCore

/// `finecliper model …`: what a FineCLIPER configuration holds.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Describe FineCLIPER configurations; export trained weights.",
        subcommands: [ModelInfo.self, ModelExport.self, ModelHalf.self, ModelPatches.self])
}

/// `finecliper model export CKPT --out F`: a training checkpoint without the trainer's state
/// (optimizer moments), for shipping; the model and training configuration stay in its metadata.
struct ModelExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a checkpoint's model weights and configuration without the optimizer state.")

    @Argument(help: "A checkpoint written by finecliper train.") var checkpoint: String
    @Option(help: "Output file (written atomically).") var out: String

    func run() throws {
        let file = try SafeTensorsFile(path: checkpoint)
        _ = try ModelCheckpoint.config(of: file)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        var kept = 0
        for name in file.names.sorted() where !ModelCheckpoint.foreignPrefixes.contains(where: { name.hasPrefix($0) }) {
            writer.add(name, try file.tensor(name))
            kept += 1
        }
        try writer.write(to: out)
        print("\(kept) tensors to \(out)")
    }
}

/// `finecliper model half IN OUT`: a weights file with its float tensors stored as F16, for
/// shipping (the embedded CLIP: 16.8 → 8.4 MB). Every loader widens F16 to F32 on reading.
struct ModelHalf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "half", abstract: "Store a safetensors file's float tensors as F16 (half the size).")

    @Argument(help: "A safetensors file.") var input: String
    @Argument(help: "Output file (written atomically).") var output: String

    func run() throws {
        let file = try SafeTensorsFile(path: input)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        var worst: Float = 0
        for name in file.names.sorted() {
            let t = try file.tensor(name)
            guard t.scalars.allSatisfy({ $0.isFinite && abs($0) <= 65504 }) else {
                throw CommandError("\(input): tensor \(TerminalText.escaped(name)) holds values outside F16's range", kind: .badData)
            }
            let scale = t.scalars.map(abs).max() ?? 0
            if scale > 0 { worst = max(worst, t.scalars.map { abs($0 - Float(Float16($0))) }.max()! / scale) }
            writer.add(name, half: t)
        }
        try writer.write(to: output)
        print(String(format: "%d tensors to %@ as F16 (largest rounding %.1e of a tensor's largest value)", file.names.count, output, worst))
    }
}

/// `finecliper model patches IN OUT --image-size N`: a CLIP folder for larger images, its patches
/// grown in proportion (`CLIPModel.resizingPatches`), to continue pretraining at that resolution.
struct ModelPatches: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patches", abstract: "Resize a CLIP folder's patches for larger images (same token grid).",
        discussion: """
            The new patch embedding sees an image as the old one sees it area-averaged down to the old \
            size; the rest of the model is unchanged. The output folder is F32.
            """)

    @Argument(help: "A Hugging Face CLIP folder.") var input: String
    @Argument(help: "Output folder (replaced once complete).") var output: String
    @Option(help: "The new image size in pixels.") var imageSize: Int

    func run() throws {
        let clip = try CLIPModel.load(huggingFaceFolder: input)
        let resized = try clip.resizingPatches(to: imageSize)
        try resized.save(huggingFaceFolder: output)
        let (v, w) = (clip.config.vision, resized.config.vision)
        print("\(v.imageSize)-px images in \(v.patchSize)-px patches → \(w.imageSize)-px images in \(w.patchSize)-px patches (\(output))")
    }
}

extension Variant: ExpressibleByArgument {}

enum Backbone: String, ExpressibleByArgument, CaseIterable {
    case b16, b32, l14, small, tiny

    var clip: CLIPConfig {
        switch self {
        case .b16: return .vitB16
        case .b32: return .vitB32
        case .l14: return .vitL14
        case .small: return .small
        case .tiny: return .tiny
        }
    }
}

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Tunable parameters per group of a variant, next to the paper's counts.",
        discussion: """
            Variants: low (video + PN text; the paper's FineCLIPER, 13 M), mid (+ parsing and landmarks; \
            FineCLIPER*, 19 M), high (+ fine-grained descriptions; FineCLIPER†, 14 M), all (FineCLIPER*†, 20 M). \
            The paper's counts are for ViT-B/16.
            """)

    @Option(help: "low, mid, high or all.")
    var variant: Variant = .all

    @Option(help: "CLIP backbone: b16, b32, l14, small or tiny.")
    var backbone: Backbone = .b16

    @Option(help: "Number of classes (7: DFEW/FERV39k, 11: MAFW).")
    var classes = 7

    @Flag(help: "Print as JSON.")
    var json = false

    func validate() throws {
        guard classes == 7 || classes == 11 else { throw ValidationError("--classes must be 7 or 11") }
    }

    static let paper: [Variant: Double] = [.low: 13, .mid: 19, .high: 14, .all: 20]

    func run() throws {
        let names = classes == 7 ? FineCLIPERConfig.sevenClassNouns : FineCLIPERConfig.elevenClassNouns
        let config = FineCLIPERConfig(clip: backbone.clip, variant: variant, classNames: names)
        let model = try FineCLIPERModel(config: config, clip: CLIPModel(config: backbone.clip))
        let groups = model.parameterGroups.map { (name: $0.name, tensors: $0.parameters.count, count: $0.parameters.reduce(0) { $0 + $1.value.count }) }
        let total = groups.reduce(0) { $0 + $1.count }
        let temporal = groups.filter { $0.name.hasSuffix("temporal") }.reduce(0) { $0 + $1.count }
        let frozen = model.clip.parameters.reduce(0) { $0 + $1.value.count }
        if json {
            let object: [String: Any] = ["variant": variant.rawValue, "backbone": backbone.rawValue, "classes": classes,
                                         "groups": groups.map { ["name": $0.name, "tensors": $0.tensors, "parameters": $0.count] },
                                         "trainable": total, "trainable_without_temporal": total - temporal, "frozen_clip": frozen,
                                         "paper_millions": backbone == .b16 ? Self.paper[variant]! as Any : NSNull()]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        func millions(_ n: Int) -> String { String(format: "%8.3f M", Double(n) / 1e6) }
        print("FineCLIPER \(variant.rawValue) on \(backbone.rawValue), \(classes) classes (frozen CLIP: \(millions(frozen)))")
        for g in groups { print("  " + g.name.padding(toLength: 22, withPad: " ", startingAt: 0) + millions(g.count) + "  (\(g.tensors) tensors)") }
        print("  " + "trainable".padding(toLength: 22, withPad: " ", startingAt: 0) + millions(total))
        print("  " + "without temporal".padding(toLength: 22, withPad: " ", startingAt: 0) + millions(total - temporal))
        if backbone == .b16 {
            print(String(format: "  paper (Table 1)       %8.3f M", Self.paper[variant]!))
            func group(_ names: String...) -> String {
                let n = groups.filter { names.contains($0.name) }.reduce(0) { $0 + $1.count }
                return String(format: "%.2f M", Double(n) / 1e6)
            }
            print("""

                Where the counts differ: the paper gives no layer list, bottleneck width or temporal model. Here the
                adapters follow AIM (ratio 0.25; a serial and a parallel adapter in every block of the video stream,
                \(group("video adapters")), and of the positive and negative text towers, \(group("positive adapters", "negative adapters"))),
                which together are the paper's 13 M; the parsing and landmark streams carry adapters in their last
                four blocks (\(group("parsing adapters", "landmark adapters"))), the description adapter sits in the last eight text
                blocks (\(group("description adapters"))), and each visual stream has DFER-CLIP's temporal transformer
                (\(group("video temporal", "parsing temporal", "landmark temporal")) here), which the paper's figure does not draw. The adapter
                layers, sharing and the temporal model are switches of the configuration (FINECLIPER.md §3.3).
                """)
        }
    }
}
