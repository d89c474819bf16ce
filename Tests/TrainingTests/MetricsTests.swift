import Foundation
import Testing
@testable import Training

/// UAR, WAR, recall, precision and the confusion matrix against scikit-learn
/// (Tests/Reference/metrics_reference.py) and against hand-computed values.
@Suite struct MetricsTests {
    struct Case: Decodable {
        let classes: Int, truth: [Int], predictions: [Int], confusion: [[Int]]
        let war: Double, uar: Double, recall: [Double?], precision: [Double?]
    }
    struct Folds: Decodable { let uar: [Double], war: [Double], mean_uar: Double, mean_war: Double }
    struct File: Decodable { let cases: [Case], folds: Folds }

    static let file = try! JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/metrics_reference.json")))

    @Test func matchScikitLearnIncludingAClassWithoutClips() {
        var summary = FoldSummary()
        for (i, c) in Self.file.cases.enumerated() {
            let m = ConfusionMatrix(truth: c.truth, predictions: c.predictions, classes: c.classes)
            #expect(m.counts == c.confusion)
            #expect(abs(m.war - c.war) < 1e-9 && abs(m.uar - c.uar) < 1e-9, "case \(i): \(m.uar) vs \(c.uar)")
            #expect(m.recall.count == c.recall.count && zip(m.recall, c.recall).allSatisfy { a, b in a == nil ? b == nil : abs(a! - b!) < 1e-12 })
            #expect(zip(m.precision, c.precision).allSatisfy { a, b in a == nil ? b == nil : abs(a! - b!) < 1e-12 })
            if i < 2 { summary.add(fold: i + 1, m) }
        }
        #expect(Self.file.cases[1].recall.contains { $0 == nil })
        #expect(abs(summary.meanUAR - Self.file.folds.mean_uar) < 1e-9 && abs(summary.meanWAR - Self.file.folds.mean_war) < 1e-9)
    }

    @Test func handComputed() {
        // truth 0 0 0 1 1 2, predicted 0 0 1 1 1 0: recalls 2/3, 1, 0 → UAR 55.56, WAR 4/6.
        let m = ConfusionMatrix(truth: [0, 0, 0, 1, 1, 2], predictions: [0, 0, 1, 1, 1, 0], classes: 3)
        #expect(m.counts == [[2, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(abs(m.uar - 100 * (2.0 / 3 + 1 + 0) / 3) < 1e-12 && abs(m.war - 100 * 4.0 / 6) < 1e-12)
        let expectedPrecision: [Double?] = [2.0 / 3, 2.0 / 3, nil]
        #expect(m.precision == expectedPrecision)
        #expect(ConfusionMatrix(classes: 4).uar == 0 && ConfusionMatrix(classes: 4).war == 0)
    }
}
