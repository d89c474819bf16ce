import CLIP
import Datasets
import FineCLIPER
import Foundation
import TensorCore

/// The frozen CLIP and tokenizer a run builds on: a Hugging Face CLIP folder, "embedded" (the
/// small CLIP that `finecliper pretrain` trained, shipped in `embeddedFolder`), or "tiny" (the
/// deterministic tiny CLIP of the tests: 32-px images, weights from `DeterministicParameters`);
/// "random-b32" and "random-b16" are ViT-B/32 and B/16 CLIPs with such weights, for measuring
/// speed and memory at full size without a download (they have learned nothing).
public struct ModelSource: @unchecked Sendable {
    /// Where the embedded model lives in the repository: its CLIP folder and its FineCLIPER checkpoint.
    public static let embeddedCLIP = "samples/model/clip"
    public static let embeddedCheckpoint = "samples/model/finecliper.safetensors"

    /// Names of CLIPs made from deterministic weights rather than read from a folder.
    static let deterministic: [String: CLIPConfig] = ["tiny": .tiny, "random-b32": .vitB32, "random-b16": .vitB16]

    public let clip: CLIPModel
    public let tokenizer: BPETokenizer
    /// Identifies the weights for the feature cache.
    public let fingerprint: String

    /// `bpeFile` is the CLIP vocabulary the tiny model and folders without vocab.json use;
    /// `embeddedFolder` is where "embedded" is found.
    public init(_ name: String, bpeFile: String, embeddedFolder: String = ModelSource.embeddedCLIP) throws {
        if let config = Self.deterministic[name] {
            let clip = CLIPModel(config: config)
            clip.fillDeterministic()
            self.clip = clip
            tokenizer = try BPETokenizer(bpeFile: bpeFile)
            fingerprint = "\(name)-deterministic-0"
            return
        }
        let folder = name == "embedded" ? embeddedFolder : name
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            if name == "embedded" { throw TrainError.missing(path: folder, what: "the embedded CLIP (samples/model/clip in the repository)") }
            throw TrainError.missing(path: name, what: "a Hugging Face CLIP folder, or the name embedded or tiny")
        }
        clip = try CLIPModel.load(huggingFaceFolder: folder)
        let vocab = folder + "/vocab.json", merges = folder + "/merges.txt"
        tokenizer = FileManager.default.fileExists(atPath: vocab) ? try BPETokenizer(vocabJSON: vocab, mergesFile: merges) : try BPETokenizer(bpeFile: bpeFile)
        try clip.checkTokenizer(tokenizer, path: vocab)
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/model.safetensors")
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        fingerprint = "\((folder as NSString).standardizingPath)|\(size)|\(modified)"
    }

    public func tokenize(_ text: String) -> [Int] { tokenizer.tokenize(text, contextLength: clip.config.text.contextLength) }
}
