import ArgumentParser
import CLIP
import Foundation
import Media
import TensorCore

/// `finecliper clip …`: run a CLIP checkpoint directly.
struct ClipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Use a CLIP checkpoint (a Hugging Face CLIPModel folder).",
        subcommands: [ClipEmbed.self])
}

struct ClipEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed images and texts with CLIP and print their cosine similarities.",
        discussion: """
            Arguments that name an existing file are read as images (JPEG, PNG, BMP, or the first frame \
            of a video); the others are texts. Example, with a downloaded openai/clip-vit-base-patch16:
              finecliper clip embed --model clip-vit-base-patch16 face.jpg "a smiling face" "a sad face"
            """)

    @Option(help: "A Hugging Face CLIPModel folder: config.json and model.safetensors (F32, F16 or BF16), plus vocab.json and merges.txt if present.")
    var model: String

    @Argument(help: "Image files and texts.")
    var inputs: [String]

    @Option(help: "The BPE vocabulary when the model folder has no vocab.json/merges.txt.")
    var vocabulary = "assets/bpe_simple_vocab_16e6.txt"

    @Option(help: "Centre-crop rounding of odd margins: transformers (floor, as Hugging Face's CLIPImageProcessor; the default, for Hugging Face folders) or torchvision (half to even, as OpenAI CLIP and open_clip).")
    var cropRounding = "transformers"

    @Flag(help: "Print the embeddings and similarities as JSON.")
    var json = false

    func validate() throws {
        guard ["transformers", "torchvision"].contains(cropRounding) else { throw ValidationError("--crop-rounding must be transformers or torchvision") }
    }

    func run() throws {
        let clip: CLIPModel
        clip = try CLIPModel.load(huggingFaceFolder: model)
        let hasFolderVocab = FileManager.default.fileExists(atPath: model + "/vocab.json") && FileManager.default.fileExists(atPath: model + "/merges.txt")
        let tokenizer = try hasFolderVocab ? BPETokenizer(vocabJSON: model + "/vocab.json", mergesFile: model + "/merges.txt")
                                           : BPETokenizer(bpeFile: vocabulary)
        try clip.checkTokenizer(tokenizer, path: hasFolderVocab ? model + "/vocab.json" : vocabulary)
        var names: [String] = [], embeddings: [Tensor] = [], truncated: [String] = []
        for input in inputs {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), !isDir.boolValue {
                let image: RGBImage
                image = try VideoReader(path: input).frame(at: 0)
                let pixels = CLIPPreprocess.image(image, size: clip.config.vision.imageSize,
                                                  rounding: cropRounding == "torchvision" ? .halfToEven : .floor)
                embeddings.append(clip.encodeImages(pixels).value)
                names.append("image \(input)")
            } else {
                let context = clip.config.text.contextLength
                let full = tokenizer.encode(input).count + 2
                if full > context {
                    // CLIP reads at most `context` tokens: say so instead of embedding a cut text silently.
                    truncated.append(input)
                    FileHandle.standardError.write(Data("finecliper: text of \(full) tokens cut to the model's \(context): \"\(TerminalText.escaped(String(input.prefix(60))))\(input.count > 60 ? "…" : "")\"\n".utf8))
                }
                let ids = tokenizer.tokenize(input, contextLength: context)
                embeddings.append(clip.encodeTexts([ids]).value)
                names.append("text \"\(input)\"")
            }
        }
        guard !embeddings.isEmpty else { throw ValidationError("give at least one image file or text") }
        let normalized = embeddings.map { l2Normalize($0).scalars }
        let similarity = normalized.map { a in normalized.map { b in zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } } }
        if json {
            let object: [String: Any] = ["inputs": names, "embeddings": embeddings.map { $0.scalars.map(Double.init) },
                                         "cosine": similarity.map { $0.map(Double.init) }, "truncated": truncated]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        for (name, e) in zip(names, embeddings) {
            let head = e.scalars.prefix(6).map { String(format: "%+.4f", $0) }.joined(separator: " ")
            print("\(name): \(e.count)-d embedding [\(head) …]")
        }
        print("\ncosine similarity")
        for (i, row) in similarity.enumerated() {
            print(String(format: "%2d ", i) + row.map { String(format: "%7.4f", $0) }.joined(separator: " ") + "  \(names[i])")
        }
    }
}
