/// Counts of (true class, predicted class) pairs and the DFER metrics read from them
/// (FINECLIPER.md §6.3): WAR = overall accuracy, UAR = mean per-class recall. A class with no
/// clips has no recall and is left out of UAR (as scikit-learn's `balanced_accuracy_score`); a
/// class never predicted has no precision.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// counts[truth][prediction].
    public private(set) var counts: [[Int]]

    public init(classes: Int) {
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    public init(truth: [Int], predictions: [Int], classes: Int) {
        self.init(classes: classes)
        for (t, p) in zip(truth, predictions) { add(truth: t, prediction: p) }
    }

    public var classes: Int { counts.count }

    public mutating func add(truth: Int, prediction: Int) {
        guard counts.indices.contains(truth), counts.indices.contains(prediction) else { return }
        counts[truth][prediction] += 1
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }

    /// Recall of each class in [0, 1], nil for a class with no clips.
    public var recall: [Double?] {
        counts.indices.map { c in support(c) == 0 ? nil : Double(counts[c][c]) / Double(support(c)) }
    }

    /// Precision of each class in [0, 1], nil for a class never predicted.
    public var precision: [Double?] {
        counts.indices.map { c in
            let predicted = counts.reduce(0) { $0 + $1[c] }
            return predicted == 0 ? nil : Double(counts[c][c]) / Double(predicted)
        }
    }

    /// Weighted average recall (accuracy), in percent.
    public var war: Double { total == 0 ? 0 : 100 * Double(correct) / Double(total) }

    /// Unweighted average recall over the classes that have clips, in percent.
    public var uar: Double {
        let r = recall.compactMap { $0 }
        return r.isEmpty ? 0 : 100 * r.reduce(0, +) / Double(r.count)
    }
}

/// The mean of per-fold results, as DFEW and MAFW are reported (5 folds).
public struct FoldSummary: Codable, Equatable, Sendable {
    public var folds: [Int]
    public var uar: [Double]
    public var war: [Double]

    public init(folds: [Int] = [], uar: [Double] = [], war: [Double] = []) {
        self.folds = folds
        self.uar = uar
        self.war = war
    }

    public mutating func add(fold: Int, _ m: ConfusionMatrix) {
        folds.append(fold); uar.append(m.uar); war.append(m.war)
    }

    public var meanUAR: Double { uar.isEmpty ? 0 : uar.reduce(0, +) / Double(uar.count) }
    public var meanWAR: Double { war.isEmpty ? 0 : war.reduce(0, +) / Double(war.count) }
}
