import ArgumentParser
import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore
import Training

/// `finecliper reference CLIP…`: a model (the embedded one by default) beside the real-face
/// reference, fer's FER2013 mini-Xception, frame by frame: both timelines and how often the model's
/// top class agrees with the reference where the reference is confident.
struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Compare a model with the real-face reference (fer's FER2013 classifier) frame by frame.",
        discussion: """
            Every frame's face is tracked (BlazeFace and dlib's 68 points). The reference classifies each \
            frame on its own, from fer's preprocessing of a Haar-like box around the landmarks; the model \
            classifies overlapping segments (--segment seconds every --hop seconds, each frame taking the \
            nearest segment's scores). Agreement counts frames where the reference's top probability is \
            at least --min-confidence and its class is one the model has. Timeline letters: A angry, \
            D disgust, F fear, H happy, S sad, U surprise, N neutral, · no face or not confident.
            """)

    @Argument(help: "Videos, images or folders of frame images.") var clips: [String]
    @Option(help: "A checkpoint written by finecliper train (default: the embedded model).") var checkpoint: String?
    @Option(help: "The CLIP under the checkpoint, if not the one it names.") var model: String?
    @Option(help: "Reference probability a frame needs to count.") var minConfidence: Float = 0.6
    @Option(help: "Seconds of video per model segment.") var segment = 1.0
    @Option(help: "Seconds between model segments.") var hop = 0.25
    @Option(help: "Write per-frame probabilities of both to this CSV file.") var csv: String?
    @Option(help: "Timeline width in characters.") var width = 72
    @Flag(help: "Print one JSON object per clip (JSON Lines).") var json = false

    func validate() throws {
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be between 0 and 1") }
        guard segment > 0, hop > 0, segment <= 3600, hop <= 3600 else { throw ValidationError("--segment and --hop must be between 0 and 3600 seconds") }
        guard (8...1000).contains(width) else { throw ValidationError("--width must be between 8 and 1000") }
    }

    static let letters: [String: Character] = ["anger": "A", "disgust": "D", "fear": "F", "happiness": "H", "sadness": "S", "surprise": "U", "neutral": "N"]

    func run() throws {
        let path = checkpoint ?? Assets.embeddedCheckpoint
        if checkpoint == nil, !FileManager.default.fileExists(atPath: path) {
            throw CommandError("the embedded model is not at \(path); give --checkpoint", kind: .missingInput)
        }
        let predictor = try VideoPredictor(checkpoint: path, clipModel: model, bpeFile: Assets.bpe, embeddedFolder: Assets.embeddedCLIP)
        let reference = try ExpressionReference(modelPath: try Assets.require(Assets.expressionReference, what: "fer's expression model"))
        let tracker = try FaceTools.tracker()
        var total = ReferenceAgreement(modelClasses: predictor.classes, minConfidence: minConfidence)
        var streamTotals: [Modality: ReferenceAgreement] = [:]
        let fer = ExpressionReference.labels
        var table = "clip,frame,time," + fer.map { "reference_\($0)" }.joined(separator: ",") + "," + fer.map { "model_\($0)" }.joined(separator: ",") + "\n"
        var failures = 0
        for clip in clips {
            do {
                let source = try FaceTools.open(clip)
                tracker.reset()
                let n = source.frameCount
                let fps = n > 1 ? Double(n - 1) / max(source.timestamp(of: n - 1) - source.timestamp(of: 0), 1e-6) : 1
                // Crops go to the model's timeline as they are made, so only one segment's are held.
                var builder = FaceClip.Builder()
                var timeline = VideoPredictor.Timeline(predictor, segment: Int((segment * fps).rounded()), hop: Int((hop * fps).rounded()))
                var track: [[SIMD2<Double>]] = [], references: [[Float]?] = [], times: [Double] = [], withFace: [Bool] = []
                _ = try source.forEachFrame { i, t, image in
                    let found = try tracker.process(image, frame: i, timestamp: t)
                    builder.add(image, found: found)
                    track.append(found.success ? found.points : [])
                    times.append(t)
                    references.append(found.success && found.points.count == 68
                                      ? try reference.probabilities(image, box: ExpressionReference.Box(landmarks: found.points)) : nil)
                    for crop in builder.takeCrops() {
                        withFace.append(!crop.points.isEmpty)
                        try timeline.add(crop.image, points: crop.points, track: track[crop.frame])
                    }
                }
                guard !withFace.isEmpty else { throw FaceClipError.noFace }
                let scores = try timeline.finish()
                var agreement = ReferenceAgreement(modelClasses: predictor.classes, minConfidence: minConfidence)
                var streams: [Modality: ReferenceAgreement] = [:]
                // The model's probabilities in fer's class order (0 where the model lacks the class).
                let back = EmotionClasses.map(fer, to: predictor.classes)
                for (i, r) in references.enumerated() {
                    let tracked = withFace[i]
                    agreement.add(reference: r, model: tracked ? scores[i].probabilities : nil)
                    for (modality, margins) in scores[i].margins {
                        streams[modality, default: ReferenceAgreement(modelClasses: predictor.classes, minConfidence: minConfidence)]
                            .add(reference: r, model: tracked ? margins : nil)
                    }
                    let m = back.map { k in k.map { scores[i].probabilities[$0] } ?? 0 }
                    table += "\(PredictCommand.csvField(clip)),\(i),\(String(format: "%.4f", times[i])),"
                        + (r ?? Array(repeating: Float.nan, count: fer.count)).map { String(format: "%.5f", $0) }.joined(separator: ",") + ","
                        + (tracked ? m : Array(repeating: Float.nan, count: fer.count)).map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
                }
                total.merge(agreement)
                streamTotals.merge(streams) { var a = $0; a.merge($1); return a }
                let referenceLine = Self.line(references.map { p in p.flatMap { p in p.max()! >= minConfidence ? EmotionClasses.basic(fer[p.firstIndex(of: p.max()!)!]) : nil } }, width: width)
                let modelLine = Self.line(scores.indices.map { i -> String? in
                    let p = scores[i].probabilities
                    return !withFace[i] ? nil : EmotionClasses.basic(predictor.classes[p.indices.max { p[$0] < p[$1] }!]) ?? "?"
                }, width: width)
                if json {
                    struct Line: Encodable {
                        let clip: String; let frames: Int; let facesFound: Int; let confidentFrames: Int; let agreeing: Int; let agreement: Double?
                        let balancedAgreement: Double?; let streamAgreement: [String: Double]; let reference: String; let model: String
                    }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(Line(clip: clip, frames: withFace.count, facesFound: builder.facesFound, confidentFrames: agreement.confident,
                                                                    agreeing: agreement.agreeing, agreement: agreement.rate, balancedAgreement: agreement.balancedRate,
                                                                    streamAgreement: Dictionary(uniqueKeysWithValues: streams.compactMap { m, a in a.rate.map { (m.rawValue, $0) } }),
                                                                    reference: referenceLine, model: modelLine)), as: UTF8.self))
                } else {
                    print("\(TerminalText.escaped(clip)): \(withFace.count) frames, face in \(builder.facesFound)")
                    print("  reference \(referenceLine)")
                    print("  model     \(modelLine)")
                    print("  " + Self.summary(agreement))
                    if let line = Self.streamSummary(streams) { print("  " + line) }
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(TerminalText.escaped(clip)): \(error)\n".utf8))
            }
        }
        if !json && clips.count > 1 {
            print("all clips: " + Self.summary(total))
            if let line = Self.streamSummary(streamTotals) { print("all clips, " + line) }
        }
        if !json, !total.disagreements.isEmpty {
            print("where the model differs: " + total.disagreements.map { d in
                "\(ExpressionReference.labels[d.reference]) → " + d.model.prefix(3).map { "\(predictor.classes[$0.class]) \($0.frames)" }.joined(separator: ", ")
            }.joined(separator: "; "))
        }
        if let csv { try AtomicFile.write(Data(table.utf8), to: csv) }
        if failures == clips.count { throw CommandError("no clip could be compared", kind: .badData) }
    }

    /// The most frequent class in each of `width` cells (or fewer when there are fewer frames) as letters.
    static func line(_ classes: [String?], width: Int) -> String {
        let cells = min(width, classes.count)
        return String((0..<cells).map { c -> Character in
            let part = classes[(c * classes.count / cells)..<((c + 1) * classes.count / cells)].compactMap { $0 }
            guard !part.isEmpty else { return "·" }
            let counts = Dictionary(part.map { ($0, 1) }, uniquingKeysWith: +)
            let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            return letters[best] ?? "?"
        })
    }

    /// Each modality's own top class (its largest margin) against the reference: which streams
    /// carry over to these faces.
    static func streamSummary(_ streams: [Modality: ReferenceAgreement]) -> String? {
        let parts = Modality.allCases.compactMap { m in
            streams[m].flatMap { a in a.rate.map { String(format: "%@ %.1f %% (%.1f %% per class)", m.rawValue, 100 * $0, 100 * (a.balancedRate ?? 0)) } }
        }
        return parts.isEmpty ? nil : "each stream alone: " + parts.joined(separator: ", ")
    }

    static func summary(_ a: ReferenceAgreement) -> String {
        guard let rate = a.rate else { return "no frame where the reference is at least \(a.minConfidence) sure" }
        let parts = a.perClass.enumerated().filter { $0.element.frames > 0 }.map { "\(ExpressionReference.labels[$0.offset]) \($0.element.agreeing)/\($0.element.frames)" }
        var line = String(format: "agreement %.1f %% of %d confident frames, %.1f %% per class (%@)", 100 * rate, a.confident, 100 * (a.balancedRate ?? 0),
                          parts.joined(separator: ", "))
        if let m = a.majority, parts.count > 1 {
            line += String(format: "; always %@ would give %.1f %%, %.1f %% per class", ExpressionReference.labels[m.reference], 100 * m.rate, 100 / Double(parts.count))
        }
        return line
    }
}
