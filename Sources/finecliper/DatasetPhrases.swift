import ArgumentParser
import Datasets
import Face
import Foundation
import TensorCore
import Training

/// `finecliper dataset phrases --data DIR`: how often the phrases the model's CLIP ranks highest
/// for a generated clip (what `predict` prints as "the model sees") name a movement the clip
/// really shows. Each clip goes through the face pipeline as any video does; its truth comes from
/// the generator's parameters in clips.jsonl.
struct DatasetPhrases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phrases",
        abstract: "Measure the model's top phrases against a generated dataset's action units.",
        discussion: """
            A phrase counts as a match when it names an action unit of the clip's expression, a blink \
            (the eyes close) when the clip blinks, the mouth's movements (lips part, jaw drops) when \
            it talks, or the still face for a neutral clip. Chance is the share of the bank that \
            matches, averaged over the clips.
            """)

    @Option(name: .long, help: "A dataset written by finecliper synth (it has clips.jsonl).")
    var data: String

    @Option(help: "Split of the annotation list.") var split = "test"
    @Option(help: "A FineCLIPER checkpoint (default: the embedded model).") var checkpoint: String?
    @Option(help: "Phrases per clip that may match.") var top = 3
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard (1...VideoPredictor.phraseBank.count).contains(top) else { throw ValidationError("--top must be 1…\(VideoPredictor.phraseBank.count)") }
    }

    struct Result: Encodable {
        let clips: Int, topOne: Double, topK: Double, k: Int, chance: Double, skipped: Int
    }

    /// The bank's phrases that describe what the clip shows.
    static func truth(_ clip: SyntheticClip) -> Set<String> {
        var units = Set(clip.apex.map(\.unit))
        if !clip.blinks.isEmpty { units.insert(.eyesClosed) }
        if clip.talking != nil { units.formUnion([.lipsPart, .jawDrop]) }
        var phrases = Set(units.map(\.phrase))
        if clip.label.lowercased() == "neutral" { phrases.insert(VideoPredictor.phraseBank.last!) }
        return phrases
    }

    func run() throws {
        let parameters = data + "/clips.jsonl"
        guard let text = try? String(contentsOfFile: parameters, encoding: .utf8) else {
            throw CommandError("\(parameters): missing; phrases are measured on clips made by finecliper synth", kind: .missingInput)
        }
        var generated: [String: SyntheticClip] = [:]
        for (n, line) in textLines(text).enumerated() where !line.isEmpty {
            do {
                let clip = try JSONDecoder().decode(SyntheticClip.self, from: Data(line.utf8))
                generated[clip.id] = clip
            } catch {
                throw CommandError("\(parameters):\(n + 1): not a generated clip's parameters", kind: .badData)
            }
        }
        guard let format = DatasetFormat.detect(root: data) else { throw CommandError("\(data): not a dataset", kind: .badData) }
        let clips = try format.open(root: data, fold: nil).splits[split] ?? []
        guard !clips.isEmpty else { throw CommandError("\(data): no clips in the \(split) split", kind: .badData) }
        let path = checkpoint ?? Assets.embeddedCheckpoint
        let predictor = try VideoPredictor(checkpoint: path, clipModel: nil, bpeFile: Assets.bpe, embeddedFolder: Assets.embeddedCLIP)
        let tracker = try FaceTools.tracker()
        let bank = Set(VideoPredictor.phraseBank)
        var measured = 0, first = 0, any = 0, skipped = 0, chance = 0.0
        let bar = ProgressBar(label: "phrases")
        for (i, record) in clips.enumerated() {
            bar.update(i, of: clips.count)
            guard let truth = generated[record.id].map(Self.truth),
                  let face = try? FaceClip.track(try FaceTools.open(record.path), tracker: tracker), face.facesFound > 0 else {
                skipped += 1
                continue
            }
            let ranked = predictor.phrases(face, top: top).map(\.phrase)
            measured += 1
            if let best = ranked.first, truth.contains(best) { first += 1 }
            if ranked.contains(where: truth.contains) { any += 1 }
            chance += Double(truth.intersection(bank).count) / Double(bank.count)
        }
        bar.finish()
        guard measured > 0 else { throw CommandError("no clip of \(data) could be measured", kind: .badData) }
        let n = Double(measured)
        let r = Result(clips: measured, topOne: 100 * Double(first) / n, topK: 100 * Double(any) / n, k: top, chance: 100 * chance / n, skipped: skipped)
        if json {
            let e = JSONEncoder(); e.outputFormatting = .sortedKeys
            print(String(decoding: try e.encode(r), as: UTF8.self))
        } else {
            print(String(format: "%d clips: the top phrase names a movement the clip shows in %.1f %%, one of the top %d in %.1f %% (a random phrase: %.1f %%)%@",
                         measured, r.topOne, top, r.topK, r.chance, skipped > 0 ? "; \(skipped) clips without a face or parameters left out" : ""))
        }
    }
}
