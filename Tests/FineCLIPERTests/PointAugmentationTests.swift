import Foundation
import Testing
@testable import FineCLIPER
import TensorCore

/// The landmark points' training-time variation: the mirror image is the mirrored video's rows,
/// another build moves the resting face and leaves the expression's movement but for its size.
@Suite struct PointAugmentationTests {
    typealias Face = LandmarkPointsTests

    /// Six frames of the test face whose mouth opens and whose left mouth corner pulls out.
    static func clip() -> [[SIMD2<Double>]] {
        var frames = Array(repeating: Face.face(), count: 6)
        for t in 3..<6 { frames[t][57].y += 4; frames[t][48].x -= 2; frames[t][19].y -= 1 }
        return frames
    }

    @Test func theMirrorImageIsTheMirroredVideosRows() {
        let frames = Self.clip()
        let mirroredVideo = frames.map { p in (0..<68).map { k in SIMD2(640 - p[IBUG68.mirror[k]].x, p[IBUG68.mirror[k]].y) } }
        let rows = LandmarkPoints.features(frames)
        #expect(PointAugmentation.mirrored(rows).compare(to: LandmarkPoints.features(mirroredVideo), rtol: 0, atol: 1e-5).withinTolerance)
        #expect(PointAugmentation.mirrored(PointAugmentation.mirrored(rows)).scalars == rows.scalars)
        #expect(PointAugmentation.mirrored(rows).scalars != rows.scalars)
    }

    @Test func anotherBuildMovesThePartsAndScalesOnlyTheMovement() {
        let rows = LandmarkPoints.features(Self.clip())
        var g = SeededGenerator(seed: 3)
        let shifted = PointAugmentation(flip: 0, shift: 0.05, scale: 0).apply(rows, using: &g)
        let a = Face.rows(rows), b = Face.rows(shifted)
        // Positions: each part moved by one offset in every frame; movement: untouched.
        for part in IBUG68.parts {
            let offset = SIMD2(b[0][2 * part.lowerBound] - a[0][2 * part.lowerBound], b[0][2 * part.lowerBound + 1] - a[0][2 * part.lowerBound + 1])
            #expect(offset != .zero)
            for t in 0..<6 {
                for k in part {
                    #expect(abs(b[t][2 * k] - a[t][2 * k] - offset.x) < 1e-5 && abs(b[t][2 * k + 1] - a[t][2 * k + 1] - offset.y) < 1e-5)
                }
            }
        }
        #expect(zip(a, b).allSatisfy { $0[136...] == $1[136...] })

        // A part 10 % larger moves 10 % further.
        var h = SeededGenerator(seed: 4)
        let scaled = Face.rows(PointAugmentation(flip: 0, shift: 0, scale: 0.1).apply(rows, using: &h))
        let mouthOpens = a[5][136 + 2 * 57 + 1], jawStill = a[5][136 + 2 * 8]
        let ratio = scaled[5][136 + 2 * 57 + 1] / mouthOpens
        #expect(abs(mouthOpens - 1) < 1e-5 && abs(ratio - 1) > 1e-4 && ratio > 0.5 && ratio < 1.5)
        #expect(scaled[5][136 + 2 * 8] == jawStill)
    }

    @Test func drawsAreRepeatableAndNoFaceStaysZeros() {
        let rows = LandmarkPoints.features(Self.clip()), augmentation = PointAugmentation()
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9), g3 = SeededGenerator(seed: 10)
        let first = augmentation.apply(rows, using: &g1)
        #expect(first.scalars == augmentation.apply(rows, using: &g2).scalars)
        #expect(first.scalars != augmentation.apply(rows, using: &g3).scalars)
        var g = SeededGenerator(seed: 1)
        let none = LandmarkPoints.features(Array(repeating: [], count: 4))
        #expect(augmentation.apply(none, using: &g).scalars.allSatisfy { $0 == 0 })
        var still = SeededGenerator(seed: 1)
        #expect(PointAugmentation(flip: 0, shift: 0, scale: 0).apply(rows, using: &still).compare(to: rows, rtol: 0, atol: 1e-6).withinTolerance)
    }

    @Test func settingsOutsideTheirRangeAreRefused() {
        #expect(PointAugmentation().validate() == nil)
        #expect(PointAugmentation(flip: 1.5).validate() != nil)
        #expect(PointAugmentation(shift: -0.1).validate() != nil)
        #expect(PointAugmentation(scale: .nan).validate() != nil)
    }
}
