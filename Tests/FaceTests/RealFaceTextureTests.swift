
import Foundation
import Media
import Testing
import TensorCore
import TestSupport
@testable import Face
@testable import Datasets

/// Clips rendered from real face photos (`finecliper synth --real-faces`): the same seed gives the
/// same bytes, and the face pipeline finds the warped faces' landmarks where the generator put them.
@Suite(.serialized) struct RealFaceTextureTests {
    static func synth(_ out: String, photoShapes: Bool) throws {
        let run = try FinecliperBinary.run(["synth", "-o", out, "--train-per-class", "1", "--test-per-class", "1", "--frames", "6",
                                            "--size", "160", "--seed", "5", "--real-faces", "1"] + (photoShapes ? ["--photo-shapes"] : []))
        #expect(run.status == 0, "\(run.output)")
    }

    /// Warped to the drawn faces' proportions, and keeping the photos' own (`--photo-shapes`).
    @Test(arguments: [false, true]) func warpedFacesAreDeterministicAndTheirLandmarksExact(photoShapes: Bool) throws {
        let scratch = Scratch()
        try Self.synth(scratch.path("a"), photoShapes: photoShapes)
        try Self.synth(scratch.path("b"), photoShapes: photoShapes)
        let fm = FileManager.default
        for file in ["clips.jsonl", "synth.json", "landmarks/synth_00003.csv", "frames/synth_00003/00004.jpg", "frames/synth_00012/00006.jpg"] {
            #expect(fm.contents(atPath: scratch.path("a/" + file)) == fm.contents(atPath: scratch.path("b/" + file)), "\(file) differs between two runs")
        }
        let clips = try String(contentsOfFile: scratch.path("a/clips.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(clips.count == 14 && clips.allSatisfy { $0.contains("\"texture\"") }, "every clip has a real face")
        #expect(clips.allSatisfy { $0.contains("\"face\"") } == photoShapes, "the photos' proportions are recorded with the clip")

        let tracker = FaceTrackerTests.makeTracker()
        var errors: [Double] = [], frames = 0
        for n in 1...14 {
            let id = String(format: "synth_%05d", n)
            let truth = try LandmarksFile(String(contentsOfFile: scratch.path("a/landmarks/\(id).csv"), encoding: .utf8), path: id)
            tracker.reset()
            for f in 0..<6 {
                let image = try VideoReader(path: scratch.path(String(format: "a/frames/%@/%05d.jpg", id, f + 1))).frame(at: 0)
                let r = try tracker.process(image, frame: f, timestamp: Double(f) / 25)
                frames += 1
                if r.success, let gt = truth.points[f] { errors.append(SyntheticFaceTests.nme(r.points, gt)) }
            }
        }
        let mean = errors.reduce(0, +) / Double(max(errors.count, 1))
        print("real-face clips: face in \(errors.count)/\(frames) frames, NME \(String(format: "%.3f", mean)) of the eye distance")
        #expect(errors.count >= frames * 9 / 10 && mean < 0.1)
    }

    /// A clip wearing a photo's face has the photo's landmarks up to a similarity, moved by the
    /// same action units: at a level head both are exact.
    @Test func aClipWearsThePhotosProportions() {
        var clip = SyntheticClip(id: "a", label: "Surprise", seed: 11, frameCount: 8, size: 160)
        clip.poseStart = .zero; clip.poseEnd = .zero
        let donor = SyntheticClip(id: "b", label: "Neutral", seed: 12, frameCount: 8, size: 160)
        let photo = donor.landmarks(at: 0).map { SIMD2($0.x * 1.3 + 7, $0.y * 1.3 - 4) }
        var worn = clip
        worn.wear(FaceTexture(name: "b", image: donor.render(frame: 0).image, landmarks: photo))
        func shape(_ c: SyntheticClip, _ f: Int, _ e: Bool) -> [SIMD2<Double>] { Array(c.shape(at: f, expression: e).prefix(68)) }
        let fit = PointSimilarity(from: photo, to: shape(worn, 0, false))
        #expect(zip(photo.map(fit.apply), shape(worn, 0, false)).allSatisfy { (($0 - $1) * ($0 - $1)).sum() < 1e-18 })
        let drawnFit = PointSimilarity(from: photo, to: shape(clip, 0, false))
        #expect(zip(photo.map(drawnFit.apply), shape(clip, 0, false)).contains { (($0 - $1) * ($0 - $1)).sum() > 1 }, "the drawn face has other proportions")
        let apex = (0..<8).max { clip.envelope(at: $0) < clip.envelope(at: $1) }!
        for (a, b) in zip(zip(shape(worn, apex, true), shape(worn, apex, false)), zip(shape(clip, apex, true), shape(clip, apex, false))) {
            #expect(((a.0 - a.1) - (b.0 - b.1)).x.magnitude < 1e-9 && ((a.0 - a.1) - (b.0 - b.1)).y.magnitude < 1e-9)
        }
        #expect(shape(worn, apex, true) != shape(worn, apex, false), "the expression moves the worn face")
    }

    @Test func aSetMadeWithTexturesNeedsThem() throws {
        var config = SyntheticConfig()
        config.realFaces = 1; config.textures = ["nobody"]; config.trainPerClass = 1; config.testPerClass = 0
        #expect(throws: DatasetError.self) { try SyntheticDataset.write(config, to: Scratch().path("x")) }
    }

    @Test func testFacesAreHeldOutByPerson() {
        var config = SyntheticConfig()
        config.realFaces = 1; config.trainPerClass = 20; config.testPerClass = 20
        config.textures = ["a", "a~mirror", "b", "b~mirror", "c", "c~mirror", "d", "d~mirror", "e", "e~mirror"]
        let all = SyntheticDataset.clips(config)
        let train = Set(all.filter { $0.split == "train" }.compactMap(\.clip.texture).map(SyntheticDataset.person))
        let test = Set(all.filter { $0.split == "test" }.compactMap(\.clip.texture).map(SyntheticDataset.person))
        #expect(test == ["d"] && train == ["a", "b", "c", "e"])
    }

    /// Photos that already show a class animate clips of that class only, and each group
    /// (resting faces, faces showing a class) gives every fourth person to the test clips.
    @Test func photosShowingAClassAnimateItOnly() {
        var config = SyntheticConfig()
        config.realFaces = 1; config.trainPerClass = 30; config.testPerClass = 30
        config.textures = ["a", "s1", "b", "s2", "c", "s3", "d", "s4", "e"].flatMap { [$0, $0 + "~mirror"] }
        for s in ["s1", "s2", "s3", "s4"] { config.textureExpressions[s] = "Happy"; config.textureExpressions[s + "~mirror"] = "Happy" }
        let all = SyntheticDataset.clips(config)
        for (clip, _) in all where clip.texture.map({ config.textureExpressions[$0] != nil }) ?? false { #expect(clip.label == "Happy") }
        let people = { (split: String) in Set(all.filter { $0.split == split }.compactMap(\.clip.texture).map(SyntheticDataset.person)) }
        #expect(people("test") == ["d", "s4"] && people("train") == ["a", "b", "c", "e", "s1", "s2", "s3"])
        #expect(all.contains { $0.clip.label == "Happy" && ["a", "b"].contains($0.clip.texture.map(SyntheticDataset.person)) },
                "happy clips also animate resting faces")
        // The set's file keeps which photos show what; a set without such photos keeps its old file.
        let decoded = try? JSONDecoder().decode(SyntheticConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        config.textureExpressions = [:]
        #expect(!String(decoding: (try? JSONEncoder().encode(config)) ?? Data(), as: UTF8.self).contains("textureExpressions"))
    }

    /// The photos' faces as `synth --real-faces` loads them: the reference finds many portraits
    /// smiling, and those are recorded in the set.
    @Test func smilingPortraitsAreRecorded() throws {
        let scratch = Scratch()
        let run = try FinecliperBinary.run(["synth", "-o", scratch.path("s"), "--train-per-class", "1", "--test-per-class", "0", "--frames", "2",
                                            "--size", "64", "--seed", "5", "--real-faces", "1"])
        #expect(run.status == 0, "\(run.output)")
        let config = try JSONDecoder().decode(SyntheticConfig.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("s/synth.json"))))
        #expect(config.textureExpressions["obama"] == "Happy" && config.textureExpressions["obama~mirror"] == "Happy")
        #expect(config.textureExpressions["grace_hopper"] == nil && config.textures.contains("grace_hopper"))
        #expect(run.output.contains("already showing it"))
    }
}
