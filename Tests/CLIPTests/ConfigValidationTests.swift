import Foundation
import Testing
import TestSupport
@testable import CLIP

/// Hostile or mistaken model folders are refused with the file and field named, before anything
/// is allocated.
@Suite struct ConfigValidationTests {
    let scratch = Scratch()
    static let tinyFolder = CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf").path

    /// The tiny fixture's config.json with one field of one section replaced.
    func config(_ section: String?, _ key: String, _ value: Any) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.tinyFolder + "/config.json"))
        var json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        if let section {
            var inner = json[section] as! [String: Any]
            inner[key] = value
            json[section] = inner
        } else {
            json[key] = value
        }
        let path = scratch.path(UUID().uuidString + ".json")
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        return path
    }

    func reason(_ path: String) -> String? {
        do { _ = try CLIPConfig(huggingFaceConfig: path); return nil } catch let CLIPError.badConfig(_, r) { return r } catch { return "\(error)" }
    }

    @Test func absurdSizesNegativeEpsAndWrongTypesAreRefused() throws {
        #expect(reason(try config(nil, "projection_dim", 24)) == nil)
        let cases: [(String?, String, Any, String)] = [
            ("text_config", "layer_norm_eps", -1e-5, "layer_norm_eps"),
            ("vision_config", "layer_norm_eps", "small", "layer_norm_eps"),
            ("vision_config", "num_hidden_layers", 1_000_000, "num_hidden_layers"),
            ("vision_config", "hidden_size", 1 << 40, "hidden_size"),
            ("text_config", "vocab_size", 1e12, "vocab_size"),
            (nil, "projection_dim", 100_000, "projection_dim"),
            ("text_config", "hidden_size", true, "hidden_size"),
            ("text_config", "hidden_size", "512", "hidden_size"),
            ("text_config", "num_attention_heads", 2.5, "num_attention_heads"),
            ("vision_config", "hidden_act", 3, "hidden_act"),
            ("text_config", "max_position_embeddings", 1, "max_position_embeddings"),
        ]
        for (section, key, value, named) in cases {
            let r = reason(try config(section, key, value))
            #expect(r?.contains(named) == true, "\(section ?? "top").\(key) = \(value): \(r ?? "accepted")")
        }
        let notObject = try config(nil, "vision_config", [1, 2])
        #expect(reason(notObject)?.contains("vision_config must be an object") == true)
    }

    @Test func aTokenizerWithIdsBeyondTheModelsVocabularyIsRefused() throws {
        var small = CLIPConfig.tiny
        small.text.vocabSize = 1000
        let model = CLIPModel(config: small)
        #expect(throws: CLIPError.self) { try model.checkTokenizer(CLIPFixtures.tokenizer, path: "vocab.json") }
        try CLIPModel(config: .tiny).checkTokenizer(CLIPFixtures.tokenizer, path: "vocab.json")
    }

    @Test func crlfMergesGiveTheSameTokensAndAnEmptyVocabularyIsRefused() throws {
        let vocab = Self.tinyFolder + "/vocab.json", merges = Self.tinyFolder + "/merges.txt"
        let lf = try BPETokenizer(vocabJSON: vocab, mergesFile: merges)
        let text = try String(contentsOfFile: merges, encoding: .utf8)
        let crlf = scratch.write("merges-crlf.txt", text.replacingOccurrences(of: "\n", with: "\r\n"))
        let windows = try BPETokenizer(vocabJSON: vocab, mergesFile: crlf)
        for sentence in ["a person with an expression of happiness", "furrowed eyebrows, narrow eyes"] {
            #expect(windows.tokenize(sentence) == lf.tokenize(sentence))
        }
        let empty = scratch.write("empty.json", "{}")
        #expect(throws: BPETokenizer.LoadError.self) { try BPETokenizer(vocabJSON: empty, mergesFile: merges) }
        let noSpecials = scratch.write("nospecials.json", #"{"a": 0, "b": 1}"#)
        #expect(throws: BPETokenizer.LoadError.self) { try BPETokenizer(vocabJSON: noSpecials, mergesFile: merges) }
    }
}
