import Datasets
import Face
import FineCLIPER
import Foundation
import Media

extension VideoPredictor {
    /// One frame's scores, from the segment nearest it: the fused class probabilities and each
    /// modality's own margins (cos P − cos N), which say what that stream alone would choose.
    public struct FrameScores: Sendable {
        public let probabilities: [Float]
        public let margins: [Modality: [Float]]
    }

    /// The model's scores frame by frame for a long clip: the model on overlapping segments of
    /// `segment` frames every `hop` frames (each described from its own landmarks), every frame
    /// taking the segment whose centre is nearest. `track` holds the full-frame landmarks the
    /// motion describer reads. A clip no longer than a segment is one segment.
    public func timeline(_ clip: FaceClip, track: [[SIMD2<Double>]], segment: Int, hop: Int) throws -> [FrameScores] {
        let n = clip.frames.count
        guard n > 0 else { return [] }
        let length = min(max(segment, 1), n), step = max(hop, 1)
        var starts = Array(stride(from: 0, through: n - length, by: step))
        if starts.last! != n - length { starts.append(n - length) }
        var scores: [FrameScores] = []
        for start in starts {
            let r = start..<(start + length)
            let part = FaceClip(frames: Array(clip.frames[r]), points: Array(clip.points[r]),
                                description: MotionDescriber.describe(Array(track[r])), facesFound: clip.facesFound)
            let output = try predict(part, windowFrames: 0).output
            scores.append(FrameScores(probabilities: output.probabilities[0], margins: output.modalityMargins.compactMapValues(\.first)))
        }
        let centres = starts.map { Double($0) + Double(length - 1) / 2 }
        return (0..<n).map { f in
            scores[centres.indices.min { abs(centres[$0] - Double(f)) < abs(centres[$1] - Double(f)) }!]
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
}
