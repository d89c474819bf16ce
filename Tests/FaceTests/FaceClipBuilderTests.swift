import Foundation
import Media
import Testing
@testable import Face

/// `FaceClip.Builder`: frames before the first face wait for its box, and a limit keeps the crops
/// of a long video bounded and evenly spread.
struct FaceClipBuilderTests {
    /// Frame `f`: a flat grey of level `f` (so a crop tells which frame it came from), a face
    /// (68 points on a circle) from frame 5 on.
    static func frame(_ f: Int) -> (RGBImage, FrameLandmarks) {
        let image = RGBImage(width: 64, height: 64, fill: (UInt8(f), UInt8(f), UInt8(f)))
        let points = (0..<68).map { k -> SIMD2<Double> in
            let a = Double(k) / 68 * 2 * .pi
            return SIMD2(32 + 12 * cos(a) + Double(f % 3), 30 + 14 * sin(a))
        }
        let face = f >= 5
        return (image, FrameLandmarks(frame: f, timestamp: Double(f) / 25, success: face, confidence: face ? 0.9 : 0, box: nil, points: face ? points : []))
    }

    static func build(_ n: Int, limit: Int?) throws -> (FaceClip, FaceClip.Builder) {
        var builder = FaceClip.Builder(size: 32, limit: limit)
        for f in 0..<n { let (image, found) = frame(f); builder.add(image, found: found) }
        return (try builder.finish(), builder)
    }

    static func grey(_ image: RGBImage) -> Int { Int(image.pixels[3 * (16 * 32 + 16)]) }

    @Test func everyFrameIsKeptWithoutALimitOrWithinIt() throws {
        let (all, builder) = try Self.build(40, limit: nil)
        #expect(all.frames.count == 40 && builder.kept == Array(0..<40) && builder.stride == 1 && all.frameNumbers == builder.kept)
        #expect(all.frames.map(Self.grey) == Array(0..<40), "the frames before the first face are cropped with its box")
        #expect(all.points.map(\.count) == Array(repeating: 0, count: 5) + Array(repeating: 68, count: 35))
        let (within, _) = try Self.build(40, limit: 40)
        #expect(within.frames == all.frames && within.points == all.points && within.description == all.description)
    }

    @Test func aLimitThinsTheCropsEvenlyAndKeepsTheWholeTrack() throws {
        let (all, _) = try Self.build(40, limit: nil)
        let (thin, builder) = try Self.build(40, limit: 8)
        #expect(builder.stride == 8 && builder.kept == [0, 8, 16, 24, 32])
        #expect(thin.frames.map(Self.grey) == builder.kept && thin.frameNumbers == builder.kept)
        #expect(thin.points == builder.kept.map { all.points[$0] })
        // The description and the face count come from every frame's landmarks.
        #expect(thin.description == all.description && thin.facesFound == 35 && builder.count == 40)
    }

    @Test func framesWaitingForAFaceAreThinnedToo() throws {
        var builder = FaceClip.Builder(size: 32, limit: 4)
        for f in 0..<5 { let (image, found) = Self.frame(f); builder.add(image, found: found) }
        #expect(throws: FaceClipError.self) { try builder.finish() }
        let (image, found) = Self.frame(5)
        builder.add(image, found: found)
        let clip = try builder.finish()
        #expect(builder.kept == [0, 2, 4] && clip.frames.map(Self.grey) == [0, 2, 4])
    }

    /// A long stretch without a face: the waiting frames are halved (oldest first) to stay within
    /// the budget, and their crops still show their own frames, at the first face's box.
    @Test func framesWaitingForAFaceStayWithinTheBudget() throws {
        let frameBytes = 64 * 64 * 3, budget = 3 * frameBytes
        var builder = FaceClip.Builder(size: 32, waitingBudget: budget)
        for f in 0..<5 {
            let (image, found) = Self.frame(f)
            builder.add(image, found: found)
            #expect(builder.waitingBytes <= budget && builder.waitingBytes == builder.waiting.reduce(0) { $0 + $1.image.pixels.count })
        }
        #expect(builder.waiting.map(\.halvings) == [1, 1, 1, 0, 0])
        for f in 5..<8 { let (image, found) = Self.frame(f); builder.add(image, found: found) }
        let clip = try builder.finish()
        #expect(builder.waiting.isEmpty && builder.waitingBytes == 0)
        #expect(clip.frames.map(Self.grey) == Array(0..<8))
        let (unbounded, _) = try Self.build(8, limit: nil)
        #expect(Array(clip.frames[3...]) == Array(unbounded.frames[3...]) && clip.points == unbounded.points)

        // On a ramp (whose crops differ wherever they are cut) a halved frame's crop is the full
        // frame's crop, blurred: the box is scaled with the frame.
        let values: [UInt8] = (0..<(64 * 64 * 3)).map { (i: Int) -> UInt8 in UInt8(i / 3 % 64 * 4) }
        let ramp = RGBImage(width: 64, height: 64, pixels: values)
        func crops(budget: Int) throws -> [RGBImage] {
            var b = FaceClip.Builder(size: 32, waitingBudget: budget)
            for f in 0..<6 { b.add(ramp, found: Self.frame(f).1) }
            return try b.finish().frames
        }
        let blurred = try crops(budget: 3 * frameBytes), sharp = try crops(budget: .max)
        for f in 0..<3 {
            let differences: [Int] = zip(blurred[f].pixels, sharp[f].pixels).map { (a: UInt8, b: UInt8) -> Int in abs(Int(a) - Int(b)) }
            let error = differences.reduce(0, +) / differences.count
            #expect(error <= 3, "frame \(f): mean error \(error)")
        }
        #expect(Array(blurred[3...]) == Array(sharp[3...]))
    }

    /// Tracking a video with a limit (as `predict` and the workbench score one) keeps the crops of
    /// the whole track's evenly spread frames; the description still reads every frame.
    @Test func trackingWithALimitKeepsEvenlySpreadCrops() throws {
        let path = TFLiteTests.root.appendingPathComponent("samples/frames/synth_00001").path
        let all = try FaceClip.track(try openFrameSource(path, frameRate: 25), tracker: FaceTrackerTests.makeTracker())
        let thin = try FaceClip.track(try openFrameSource(path, frameRate: 25), tracker: FaceTrackerTests.makeTracker(), limit: 8)
        #expect(all.frames.count == 32 && thin.frameNumbers == Array(stride(from: 0, to: 32, by: 4)))
        #expect(thin.frames == thin.frameNumbers.map { all.frames[$0] } && thin.points == thin.frameNumbers.map { all.points[$0] })
        #expect(thin.description == all.description && thin.facesFound == all.facesFound)
    }
}
