import ArgumentParser
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore
import Training

/// `finecliper predict CLIP…`: a trained model (the embedded one by default) on any videos or
/// frame folders: the face is tracked and cropped, the three streams and the description made
/// as in training, and the class probabilities printed with per-frame scores on request.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify the facial expression in videos or frame folders with a trained model (the embedded one by default).",
        discussion: """
            Each clip's face is tracked (BlazeFace and dlib's 68 points), cropped around its landmarks and \
            described by the motion describer; the model then sees 16 frames sampled as in evaluation. \
            --frames-csv writes live scores: for every sampled frame, the class probabilities from the \
            frames up to it (a causal window), as the workbench shows them. A video longer than 1024 \
            frames is scored, as in the workbench, from 1024 crops spread evenly over it (its \
            description still reads every frame).
            """)

    @Argument(help: "Videos or folders of frame images.") var clips: [String]
    @Option(help: "A checkpoint written by finecliper train (default: the embedded model).") var checkpoint: String?
    @Option(help: "The CLIP under the checkpoint, if not the one it names: a Hugging Face folder, embedded or tiny.") var model: String?
    @Option(help: "Write per-frame scores of every clip to this CSV file.") var framesCsv: String?
    @Option(help: "Frames in each live-score window.") var window = 4
    @Flag(help: "Print one JSON object per clip (JSON Lines).") var json = false

    func validate() throws {
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
    }

    func run() throws {
        let path = checkpoint ?? Assets.embeddedCheckpoint
        if checkpoint == nil, !FileManager.default.fileExists(atPath: path) {
            throw CommandError("the embedded model is not at \(path); give --checkpoint", kind: .missingInput)
        }
        let predictor = try VideoPredictor(checkpoint: path, clipModel: model, bpeFile: Assets.bpe, embeddedFolder: Assets.embeddedCLIP)
        let tracker = try FaceTools.tracker()
        var csv = "clip,frame," + predictor.classes.joined(separator: ",") + "\n"
        var failures = 0
        for clip in clips {
            do {
                let face = try FaceClip.track(try FaceTools.open(clip), tracker: tracker, limit: FaceClip.scoredCropLimit)
                let (output, sampled) = try predictor.predict(face, windowFrames: window)
                let p = output.probabilities[0], best = output.predictions[0]
                let phrases = predictor.phrases(face)
                if json {
                    struct Line: Encodable { let clip: String; let prediction: String; let probabilities: [String: Float]; let margins: [String: Float]; let description: String; let phrases: [String: Float]
                                  let streams: [String: [String: Float]]; let fusionWeights: [String: Float]; let facesFound: Int; let frames: Int }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    let line = Line(clip: clip, prediction: predictor.classes[best], probabilities: Dictionary(uniqueKeysWithValues: zip(predictor.classes, p)),
                                    margins: Dictionary(uniqueKeysWithValues: zip(predictor.classes, output.margins[0])), description: face.description,
                                    phrases: Dictionary(uniqueKeysWithValues: phrases.map { ($0.phrase, $0.score) }),
                                    streams: Dictionary(uniqueKeysWithValues: output.modalityMargins.map { ($0.key.rawValue, Dictionary(uniqueKeysWithValues: zip(predictor.classes, $0.value[0]))) }),
                                    fusionWeights: Dictionary(uniqueKeysWithValues: output.fusionWeights.map { ($0.key.rawValue, $0.value) }),
                                    facesFound: face.facesFound, frames: face.frames.count)
                    print(String(decoding: try encoder.encode(line), as: UTF8.self))
                } else {
                    let ranked = p.indices.sorted { p[$0] > p[$1] }.prefix(3).map { String(format: "%@ %.1f%%", predictor.classes[$0], 100 * p[$0]) }
                    print("\(TerminalText.escaped(clip)): \(predictor.classes[best]) (\(ranked.joined(separator: ", "))); face in \(face.facesFound)/\(face.frames.count) frames")
                    print("  described: \(face.description)")
                    print("  streams: " + Self.streamVerdicts(output, classes: predictor.classes))
                    print("  the model sees: " + phrases.map { String(format: "%@ (%.2f)", $0.phrase, $0.score) }.joined(separator: "; "))
                }
                for (k, frame) in sampled.enumerated() where k < (output.windowProbabilities.first?.count ?? 0) {
                    csv += "\(Self.csvField(clip)),\(face.frameNumbers[frame])," + output.windowProbabilities[0][k].map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(TerminalText.escaped(clip)): \(error)\n".utf8))
            }
        }
        if let framesCsv { try AtomicFile.write(Data(csv.utf8), to: framesCsv) }
        if failures == clips.count { throw CommandError("no clip could be classified", kind: .badData) }
    }

    /// Each stream's own top class and its weight in the fusion, so one can see which stream
    /// carried the verdict ("video surprise ×0.31, description happiness ×0.27, …").
    static func streamVerdicts(_ output: ModelOutput, classes: [String]) -> String {
        Modality.allCases.compactMap { m -> String? in
            guard let margins = output.modalityMargins[m]?.first, let top = margins.indices.max(by: { margins[$0] < margins[$1] }) else { return nil }
            return String(format: "%@ %@ ×%.2f", m.rawValue, classes[top], output.fusionWeights[m] ?? 0)
        }.joined(separator: ", ")
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
