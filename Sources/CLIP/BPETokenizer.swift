import Foundation
import TensorCore

/// CLIP's byte-level BPE tokenizer: text is cleaned and lower-cased, split into words by CLIP's
/// pattern, each word's UTF-8 bytes are mapped to printable characters, and merges are applied
/// lowest rank first; a word ends with "</w>". Sequences are [SOT] tokens [EOT], truncated to the
/// context length with EOT kept last.
public final class BPETokenizer: @unchecked Sendable {
    public let encoder: [String: Int]
    let ranks: [Pair: Int]
    let byteEncoder: [Character]
    public let startOfText: Int
    public let endOfText: Int
    var cache: [String: [String]] = [:]
    /// CLIP's word pattern (case-insensitive): the specials, English contractions, runs of letters,
    /// single digits, and runs of other non-space characters. Matching is by code point, as
    /// Python's `regex` does, not by grapheme cluster.
    let pattern: Regex<AnyRegexOutput>
    let lock = NSLock()

    struct Pair: Hashable {
        let a: String, b: String
    }

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String)
        case malformed(path: String, line: Int, reason: String)

        public var description: String {
            switch self {
            case let .unreadable(p): return "\(p): cannot read the tokenizer file"
            case let .malformed(p, l, r): return "\(p):\(l): \(r)"
            }
        }
    }

    /// From OpenAI's `bpe_simple_vocab_16e6.txt` (decompressed): a header line, then merges; the
    /// vocabulary is the 256 byte symbols, the same with "</w>", every merge, and the two specials.
    public convenience init(bpeFile path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw LoadError.unreadable(path: path) }
        let lines = textLines(text)
        let count = 49152 - 256 - 2
        guard lines.count > count else {
            throw LoadError.malformed(path: path, line: lines.count, reason: "expected at least \(count + 1) lines of merges")
        }
        var merges: [(String, String)] = []
        for (i, line) in lines[1...count].enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { throw LoadError.malformed(path: path, line: i + 2, reason: "a merge must be two symbols") }
            merges.append((String(parts[0]), String(parts[1])))
        }
        // The first 256 ids are the byte symbols in the table's construction order (printable
        // bytes first), not in byte order.
        let symbols = Self.byteSymbolOrder().map { Self.byteSymbols()[$0] }
        var vocab = symbols.map { String($0) }
        vocab += symbols.map { String($0) + "</w>" }
        vocab += merges.map { $0.0 + $0.1 }
        // open_clip names the specials <start_of_text> and <end_of_text> (OpenAI's and Hugging
        // Face's files say <|startoftext|> and <|endoftext|>); the ids are the same.
        vocab += ["<start_of_text>", "<end_of_text>"]
        self.init(vocabulary: vocab, merges: merges, specials: ("<start_of_text>", "<end_of_text>"))
    }

    /// From a Hugging Face checkpoint's `vocab.json` and `merges.txt`.
    public convenience init(vocabJSON: String, mergesFile: String) throws {
        guard let data = FileManager.default.contents(atPath: vocabJSON),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else {
            throw LoadError.unreadable(path: vocabJSON)
        }
        guard let text = try? String(contentsOfFile: mergesFile, encoding: .utf8) else { throw LoadError.unreadable(path: mergesFile) }
        var merges: [(String, String)] = []
        for (i, line) in textLines(text).enumerated() where !line.hasPrefix("#version") && !line.isEmpty {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { throw LoadError.malformed(path: mergesFile, line: i + 1, reason: "a merge must be two symbols") }
            merges.append((String(parts[0]), String(parts[1])))
        }
        guard !object.isEmpty else { throw LoadError.malformed(path: vocabJSON, line: 1, reason: "the vocabulary is empty") }
        for special in ["<|startoftext|>", "<|endoftext|>"] where object[special] == nil {
            throw LoadError.malformed(path: vocabJSON, line: 1, reason: "the vocabulary has no \(special) token")
        }
        let vocab = object.sorted { $0.value < $1.value }.map(\.key)
        guard vocab.enumerated().allSatisfy({ object[$0.element] == $0.offset }) else {
            throw LoadError.malformed(path: vocabJSON, line: 1, reason: "token ids are not 0…\(vocab.count - 1)")
        }
        self.init(vocabulary: vocab, merges: merges, specials: ("<|startoftext|>", "<|endoftext|>"))
    }

    init(vocabulary: [String], merges: [(String, String)], specials: (String, String)) {
        var enc: [String: Int] = [:]
        for (i, t) in vocabulary.enumerated() { enc[t] = i }
        encoder = enc
        var r: [Pair: Int] = [:]
        for (i, m) in merges.enumerated() where r[Pair(a: m.0, b: m.1)] == nil { r[Pair(a: m.0, b: m.1)] = i }
        ranks = r
        byteEncoder = Self.byteSymbols()
        startOfText = enc[specials.0] ?? 49406
        endOfText = enc[specials.1] ?? 49407
        // Special tokens written in the text stay whole, as in the reference's pre-filled cache.
        cache = [specials.0: [specials.0], specials.1: [specials.1]]
        let escaped = [specials.0, specials.1].map { NSRegularExpression.escapedPattern(for: $0) }
        pattern = try! Regex(escaped.joined(separator: "|") + #"|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"#)
            .ignoresCase().matchingSemantics(.unicodeScalar)
    }

    /// GPT-2's reversible byte → printable character table: printable Latin-1 bytes map to
    /// themselves, the rest to code points from 256 up, in byte order.
    static func byteSymbols() -> [Character] {
        let order = byteSymbolOrder()
        var table = [Character](repeating: " ", count: 256)
        for (i, b) in order.enumerated() {
            let code = i < 188 ? b : 256 + (i - 188)   // printable bytes keep their code point
            table[b] = Character(Unicode.Scalar(UInt32(code))!)
        }
        return table
    }

    /// Bytes in the table's construction order: the 188 printable ones, then the rest ascending.
    static func byteSymbolOrder() -> [Int] {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        let set = Set(printable)
        return printable + (0..<256).filter { !set.contains($0) }
    }


    /// Token ids of `text` without SOT/EOT.
    public func encode(_ text: String) -> [Int] {
        let cleaned = TextCleaner.clean(text)
        var ids: [Int] = []
        for match in cleaned.matches(of: pattern) {
            let word = String(cleaned[match.range])
            let symbols = String(word.utf8.map { byteEncoder[Int($0)] })
            for piece in bpe(symbols) { if let id = encoder[piece] { ids.append(id) } }
        }
        return ids
    }

    /// [SOT] + tokens + [EOT], truncated to `contextLength` with EOT as the last token; no padding.
    public func tokenize(_ text: String, contextLength: Int = 77) -> [Int] {
        var ids = [startOfText] + encode(text) + [endOfText]
        if ids.count > contextLength {
            ids = Array(ids.prefix(contextLength))
            ids[contextLength - 1] = endOfText
        }
        return ids
    }

    /// The BPE pieces of one word given as byte symbols.
    func bpe(_ token: String) -> [String] {
        lock.lock()
        if let hit = cache[token] { lock.unlock(); return hit }
        lock.unlock()
        var word = token.map { String($0) }
        guard !word.isEmpty else { return [] }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, index: Int)? = nil
            for i in 0..<(word.count - 1) {
                if let r = ranks[Pair(a: word[i], b: word[i + 1])], best == nil || r < best!.rank { best = (r, i) }
            }
            guard let (_, _) = best else { break }
            let first = word[best!.index], second = word[best!.index + 1]
            // Merge every occurrence of the pair, left to right, as the reference does.
            var merged: [String] = []
            var i = 0
            while i < word.count {
                if i < word.count - 1 && word[i] == first && word[i + 1] == second {
                    merged.append(first + second)
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        lock.lock()
        cache[token] = word
        lock.unlock()
        return word
    }
}

extension BPETokenizer.LoadError: DomainError {
    public var kind: FailureKind {
        if case .unreadable = self { return .missingInput }
        return .badData
    }
}
