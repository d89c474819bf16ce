import CLIP
import Datasets
import FineCLIPER
import Foundation
import TensorCore

/// The frozen CLIP and tokenizer a run builds on: a Hugging Face CLIP folder, or "tiny" (the
/// deterministic tiny CLIP of the tests: 32-px images, weights from `DeterministicParameters`).
public struct ModelSource: @unchecked Sendable {
    public let clip: CLIPModel
    public let tokenizer: BPETokenizer
    /// Identifies the weights for the feature cache.
    public let fingerprint: String

    /// `bpeFile` is the CLIP vocabulary the tiny model and folders without vocab.json use.
    public init(_ name: String, bpeFile: String) throws {
        if name == "tiny" {
            let clip = CLIPModel(config: .tiny)
            clip.fillDeterministic()
            self.clip = clip
            tokenizer = try BPETokenizer(bpeFile: bpeFile)
            fingerprint = "tiny-deterministic-0"
            return
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDir), isDir.boolValue else {
            throw TrainError.missing(path: name, what: "a Hugging Face CLIP folder, or the name tiny")
        }
        clip = try CLIPModel.load(huggingFaceFolder: name)
        let vocab = name + "/vocab.json", merges = name + "/merges.txt"
        tokenizer = FileManager.default.fileExists(atPath: vocab) ? try BPETokenizer(vocabJSON: vocab, mergesFile: merges) : try BPETokenizer(bpeFile: bpeFile)
        try clip.checkTokenizer(tokenizer, path: vocab)
        let attributes = try? FileManager.default.attributesOfItem(atPath: name + "/model.safetensors")
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        fingerprint = "\((name as NSString).standardizingPath)|\(size)|\(modified)"
    }

    public func tokenize(_ text: String) -> [Int] { tokenizer.tokenize(text, contextLength: clip.config.text.contextLength) }
}
