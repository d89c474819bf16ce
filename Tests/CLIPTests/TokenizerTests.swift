import Foundation
import Testing
@testable import CLIP

enum CLIPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let bpeFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/bpe_simple_vocab_16e6.txt").path
    static let tokenizer = try! BPETokenizer(bpeFile: bpeFile)
}

@Suite struct TokenizerTests {
    struct Case: Decodable { let text: String; let ids: [Int] }
    struct File: Decodable { let cases: [Case] }

    static let cases = try! JSONDecoder().decode(File.self, from: Data(contentsOf: CLIPFixtures.directory
        .appendingPathComponent("tokenizer_cases.json"))).cases

    @Test func everyReferenceStringGivesTheSameIDs() {
        #expect(Self.cases.count >= 200)
        var mismatches: [String] = []
        for c in Self.cases where CLIPFixtures.tokenizer.tokenize(c.text) != c.ids {
            mismatches.append("\(c.text.debugDescription.prefix(60)): got \(CLIPFixtures.tokenizer.tokenize(c.text).prefix(12)) want \(c.ids.prefix(12))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(Self.cases.count) differ:\n\(mismatches.prefix(15).joined(separator: "\n"))")
    }

    @Test func longTextsKeepEOTLast() {
        let ids = CLIPFixtures.tokenizer.tokenize(String(repeating: "smile ", count: 200))
        #expect(ids.count == 77 && ids.first == 49406 && ids.last == 49407)
        #expect(CLIPFixtures.tokenizer.tokenize("a smiling face", contextLength: 4) == [49406, 320, 9200, 49407])
    }
}
