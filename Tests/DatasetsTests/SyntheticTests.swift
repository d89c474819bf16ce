import Foundation
import Media
import Testing
import TensorCore
import TestSupport
@testable import Datasets

/// The synthetic expression clips: determinism, the landmark geometry the action units promise,
/// parsing maps that agree with the landmarks, and the written dataset read back by the layouts.
@Suite struct SyntheticTests {
    @Test func aSeedAlwaysGivesTheSameClipAndSeedsDiffer() {
        let a = SyntheticClip(id: "a", label: "Happy", seed: 42), b = SyntheticClip(id: "a", label: "Happy", seed: 42)
        #expect(a == b && a.render(frame: 9).image == b.render(frame: 9).image)
        let c = SyntheticClip(id: "a", label: "Happy", seed: 43)
        #expect(c.identity != a.identity && c.render(frame: 9).image != a.render(frame: 9).image)
    }

    @Test func theNeutralFaceIsMirrorSymmetricInIBUGOrder() {
        var g = SeededGenerator(seed: 5)
        let p = SyntheticIdentity(using: &g).neutralShape()
        for i in 0..<68 {
            let m = IBUG68.mirror[i]
            #expect(abs(p[i].x + p[m].x) < 1e-9 && abs(p[i].y - p[m].y) < 1e-9, "landmark \(i) mirrors \(m)")
        }
        // Image-left features have x < 0; brows above eyes above nose tip above mouth above chin.
        let leftToRight: [Double] = [p[36].x, p[39].x, 0, p[42].x, p[45].x]
        let topToBottom: [Double] = [p[19].y, p[37].y, p[33].y, p[51].y, p[57].y, p[8].y]
        #expect(leftToRight == leftToRight.sorted() && topToBottom == topToBottom.sorted())
        #expect(p[17].x < p[21].x && p[48].x < p[54].x)
        #expect(Set(IBUG68.mirror).count == 68 && (0..<68).allSatisfy { IBUG68.mirror[IBUG68.mirror[$0]] == $0 })
    }

    /// The measured movement of the landmarks between the first frame and the apex.
    static func change(_ label: String, seed: UInt64, _ measure: ([SIMD2<Double>]) -> Double) -> Double {
        var clip = SyntheticClip(id: "x", label: label, seed: seed, frameCount: 16)
        clip.onset = 0.1; clip.rise = 0.3; clip.release = nil; clip.blinks = []
        clip.poseStart = .zero; clip.poseEnd = .zero
        let first = clip.landmarks(at: 0), last = clip.landmarks(at: 15)
        let scale = (first[45].x - first[36].x)
        return (measure(last) - measure(first)) / scale
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func actionUnitsMoveTheLandmarksTheWayTheirClassesShould(_ seed: UInt64) {
        let cornerLift: ([SIMD2<Double>]) -> Double = { p in (p[51].y + p[57].y) / 2 - (p[48].y + p[54].y) / 2 }
        let browHeight: ([SIMD2<Double>]) -> Double = { p in (p[39].y + p[42].y) / 2 - (p[19].y + p[24].y) / 2 }
        let mouthOpen: ([SIMD2<Double>]) -> Double = { p in p[66].y - p[62].y }
        let browGap: ([SIMD2<Double>]) -> Double = { p in p[22].x - p[21].x }
        // Thresholds are what the weakest clips (intensity 0.55 × 0.85) still reach, in inter-ocular units.
        #expect(Self.change("Happy", seed: seed, cornerLift) > 0.04)
        #expect(Self.change("Sad", seed: seed, cornerLift) < -0.03)
        #expect(Self.change("Surprise", seed: seed, browHeight) > 0.03 && Self.change("Surprise", seed: seed, mouthOpen) > 0.06)
        #expect(Self.change("Angry", seed: seed, browGap) < -0.04)
        #expect(abs(Self.change("Neutral", seed: seed, cornerLift)) < 0.03 && abs(Self.change("Neutral", seed: seed, browHeight)) < 0.03)
    }

    @Test func theEnvelopeRisesFromNeutralAndBlinksCloseTheEyes() {
        var clip = SyntheticClip(id: "x", label: "Fear", seed: 9, frameCount: 20)
        clip.onset = 0.3; clip.rise = 0.2; clip.release = nil; clip.blinks = [10]
        #expect(clip.envelope(at: 0) == 0 && clip.envelope(at: 5) == 0 && clip.envelope(at: 19) == 1)
        #expect((1..<20).allSatisfy { clip.envelope(at: $0) >= clip.envelope(at: $0 - 1) })
        let open = clip.landmarks(at: 6), closed = clip.landmarks(at: 10)
        #expect(closed[41].y - closed[37].y < 0.3 * (open[41].y - open[37].y))
        clip.release = 0.6
        #expect(clip.envelope(at: 19) < 0.01 && clip.envelope(at: 11) > 0.9)
    }

    @Test func parsingMapsPutEachLandmarkGroupInItsClass() {
        let clip = SyntheticClip(id: "x", label: "Surprise", seed: 11, frameCount: 16, size: 160)
        let (image, parsing) = clip.render(frame: 15)
        #expect(image.width == 160 && parsing.count == 160 * 160)
        let p = clip.landmarks(at: 15)
        func part(at q: SIMD2<Double>) -> UInt8 { parsing[Int(q.y) * 160 + Int(q.x)] }
        func mean(_ r: ClosedRange<Int>) -> SIMD2<Double> { r.map { p[$0] }.reduce(.zero, +) / Double(r.count) }
        #expect(part(at: mean(36...41)) == 4 && part(at: mean(42...47)) == 5)           // left eye, right eye
        #expect(part(at: (p[19] + p[20]) / 2) == 2 && part(at: (p[23] + p[24]) / 2) == 3) // brows
        #expect(part(at: (p[62] + p[66]) / 2) == 8)                                     // open mouth
        #expect(part(at: (p[29] + p[30]) / 2) == 6 && part(at: SIMD2(2, 2)) == 0)        // nose, background
        #expect(part(at: (p[2] + p[30]) / 2) == 1)                                       // cheek skin
        #expect(Set(parsing).isSuperset(of: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    }

    @Test func descriptionsNameMovementsNotEmotions() {
        let words = ["happy", "sad", "angry", "anger", "fear", "surprise", "disgust", "joy", "emotion"]
        for (n, label) in EmotionClasses.seven.enumerated() {
            let text = SyntheticClip(id: "x", label: label, seed: UInt64(100 + n)).movementDescription.lowercased()
            #expect(!words.contains { text.contains($0) }, "\(text)")
            #expect(text.hasSuffix("."))
        }
        var happy = SyntheticClip(id: "x", label: "Happy", seed: 3)
        happy.onset = 0; happy.blinks = [4, 9]; happy.release = nil
        #expect(happy.movementDescription.hasPrefix("From the start of the clip, the lip corners pull up towards the cheeks"))
        #expect(happy.movementDescription.contains("The eyes blink twice."))
    }

    @Test func aWrittenDatasetOpensAsADFERCLIPList() throws {
        let scratch = Scratch()
        var config = SyntheticConfig()
        config.trainPerClass = 2; config.testPerClass = 1; config.frames = 5; config.size = 48; config.parsingMaps = true
        let root = scratch.path("synth")
        var calls = 0
        try SyntheticDataset.write(config, to: root) { done, total in calls += 1; #expect(done <= total && total == 21) }
        #expect(calls == 21)
        #expect(DatasetFormat.detect(root: root) == .list)
        let d = try DatasetFormat.list.open(root: root, fold: nil)
        #expect(d.name == "synth" && d.classes == EmotionClasses.seven)
        #expect(d.splits["train"]?.count == 14 && d.splits["test"]?.count == 7)
        #expect(d.splits["test"]!.map(\.label).sorted() == Array(0..<7))
        let clip = d.splits["train"]![0]
        let files = try FileManager.default.contentsOfDirectory(atPath: clip.path).sorted()
        #expect(clip.declaredFrames == 5 && files == ["00001.jpg", "00002.jpg", "00003.jpg", "00004.jpg", "00005.jpg"])
        let store = try DescriptionStore(path: root + "/descriptions.jsonl")
        #expect(store[clip.id]?.isEmpty == false)
        let csv = try String(contentsOfFile: root + "/landmarks/\(clip.id).csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 6 && csv[0].split(separator: ",").count == 137 && csv[1].split(separator: ",").count == 137)
        #expect(FileManager.default.fileExists(atPath: root + "/parsing/\(clip.id)/00005.png"))
        let saved = try JSONDecoder().decode(SyntheticConfig.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/synth.json")))
        #expect(saved == config)
        let params = try String(contentsOfFile: root + "/clips.jsonl", encoding: .utf8).split(separator: "\n")
        let first = try JSONDecoder().decode(SyntheticClip.self, from: Data(params[0].utf8))
        #expect(params.count == 21 && first == SyntheticDataset.clips(config)[0].clip)

        // An existing folder is kept unless replacing; nothing half-written is left behind.
        #expect(throws: DatasetError.alreadyExists(path: root)) { try SyntheticDataset.write(config, to: root) }
        config.frames = 3
        try SyntheticDataset.write(config, to: root, replace: true)
        let reopened = try DatasetFormat.list.open(root: root, fold: nil)
        #expect(reopened.splits["train"]![0].declaredFrames == 3)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.dir)
        #expect(left == ["synth"])
    }

    /// Hard clips keep the seed's person and timing and add weak, blended and talking faces.
    @Test func hardClipsKeepTheSeedsFaceAndAddDistractors() {
        let clips = (0..<200).map { n in SyntheticClip(id: "h", label: EmotionClasses.seven[n % 7], seed: UInt64(n), hard: true) }
        let plain = (0..<200).map { n in SyntheticClip(id: "h", label: EmotionClasses.seven[n % 7], seed: UInt64(n)) }
        #expect(zip(clips, plain).allSatisfy { $0.identity == $1.identity && $0.onset == $1.onset && $0.poseStart == $1.poseStart })
        #expect(plain.allSatisfy { $0.talking == nil })
        #expect(clips.filter { $0.talking != nil }.count > 40)
        // Weaker expressions than the plain generator ever makes (its strength starts at 0.55).
        func strength(_ c: SyntheticClip) -> Double { c.apex.map(\.intensity).max() ?? 0 }
        let happy = zip(clips, plain).filter { $0.0.label == "Happy" }
        #expect(happy.contains { strength($0.0) < 0.5 } && happy.allSatisfy { strength($0.1) >= 0.45 })
        // Blends: some fear clips carry surprise's jaw drop.
        #expect(clips.contains { $0.label == "Fear" && $0.apex.contains { $0.unit == .jawDrop } })
        // Talking opens the lips at some frames and not at others.
        let talker = clips.first { c in c.talking != nil && c.label == "Neutral" && !c.apex.contains { $0.unit == .lipsPart } }!
        let parts = (0..<16).map { f in talker.intensities(at: f).filter { $0.unit == .lipsPart }.map(\.intensity).reduce(0, +) }
        #expect(parts.max()! > 0.1 && parts.min()! < 0.02, "\(parts)")
        #expect(talker.movementDescription.contains("speaking"))
    }

    /// Laughing happy clips drop the jaw with the smile; nothing else of the seed changes, no
    /// other class laughs, and a set's laughing share is kept in its synth.json (absent: none).
    @Test func laughingDropsTheJawOfHappyClipsOnly() throws {
        for (before, after) in try apexChanges(of: "Happy", by: { $0.laugh(share: 0.5) }) {
            let smile = try #require(after.apex.first { $0.unit == .lipCornerPuller }).intensity
            let jaw = try #require(after.apex.first { $0.unit == .jawDrop }).intensity
            #expect(jaw > 0 && jaw <= smile && Array(after.apex.dropLast()) == before.apex.filter { $0.unit != .jawDrop })
        }
        try expectShareKept(\.laughing, 0.5, named: "laughing")
    }

    /// Crying sad clips open and stretch the mouth and squeeze the eyes instead of pushing the chin
    /// up; nothing else of the seed changes, no other class cries, and the share is kept in synth.json.
    @Test func cryingOpensTheMouthOfSadClipsOnly() throws {
        for (before, after) in try apexChanges(of: "Sad", by: { $0.cry(share: 0.5) }) {
            let units = Set(after.apex.map(\.unit))
            #expect(units.isSuperset(of: [.innerBrowRaiser, .browLowerer, .cheekRaiser, .lidTightener, .lipCornerDepressor, .lipStretcher, .lipsPart, .jawDrop]))
            #expect(!units.contains(.chinRaiser) && after.apex.allSatisfy { $0.intensity > 0 && $0.intensity <= 1 })
            // The shown movement: the mouth opens at the apex.
            let frame = (0..<before.frameCount).max { before.envelope(at: $0) < before.envelope(at: $1) }!
            func opening(_ c: SyntheticClip) -> Double { c.landmarks(at: frame)[66].y - c.landmarks(at: frame)[62].y }
            #expect(opening(after) > opening(before))
        }
        try expectShareKept(\.crying, 0.5, named: "crying")
    }

    /// The clips among 140 of every class whose apex `change` alters, before and after: about
    /// half of `label`'s and no other, nothing but the apex altered, the same ones each time.
    func apexChanges(of label: String, by change: (inout SyntheticClip) -> Void) throws -> [(SyntheticClip, SyntheticClip)] {
        let plain = (0..<140).map { n in SyntheticClip(id: "a", label: EmotionClasses.seven[n % 7], seed: UInt64(n), hard: true) }
        let altered = plain.map { c -> SyntheticClip in var c = c; change(&c); return c }
        let changed = zip(plain, altered).filter { $0.0.apex != $0.1.apex }
        #expect(changed.count > 5 && changed.count < 20 && changed.allSatisfy { $0.0.label == label })
        for (before, after) in changed {
            var undone = after
            undone.apex = before.apex
            #expect(undone == before)
        }
        #expect(zip(plain, altered).allSatisfy { before, after in var again = before; change(&again); return again == after })
        return changed
    }

    /// A held clip begins at half its apex or more and still reaches it; only its timing changes,
    /// the same clips each time, about the share asked for, and the share is kept in synth.json.
    @Test func heldClipsBeginMidExpression() throws {
        let plain = (0..<200).map { n in SyntheticClip(id: "h", label: EmotionClasses.seven[n % 7], seed: UInt64(n), hard: true) }
        let held = plain.map { c -> SyntheticClip in var c = c; c.hold(share: 0.3); return c }
        let changed = zip(plain, held).filter { $0.0 != $0.1 }
        #expect(changed.count > 40 && changed.count < 80)
        #expect(plain.allSatisfy { $0.envelope(at: 0) == 0 })
        for (before, after) in changed {
            #expect(after.envelope(at: 0) >= 0.5 - 1e-9 && after.envelope(at: 0) <= 1)
            #expect(after.movementDescription.hasPrefix("Already at the first frame") || after.apex.allSatisfy { $0.intensity < 0.25 })
            if after.release == nil { #expect(abs(after.envelope(at: 15) - 1) < 1e-9) }
            var undone = after
            undone.onset = before.onset
            #expect(undone == before)
        }
        var again = plain[3]
        again.hold(share: 0.3)
        #expect(again == held[3])
        var none = plain[3]
        none.hold(share: 0)
        #expect(none == plain[3])
        try expectShareKept(\.held, 0.3, named: "held")
    }

    /// A share set in a configuration survives synth.json; an unset one is not written, and a
    /// file without it reads as none.
    func expectShareKept(_ share: WritableKeyPath<SyntheticConfig, Double>, _ value: Double, named name: String) throws {
        var config = SyntheticConfig()
        config[keyPath: share] = value
        #expect(try JSONDecoder().decode(SyntheticConfig.self, from: JSONEncoder().encode(config))[keyPath: share] == value)
        let written = String(decoding: try JSONEncoder().encode(SyntheticConfig()), as: UTF8.self)
        let reread = try JSONDecoder().decode(SyntheticConfig.self, from: Data(written.utf8))
        #expect(!written.contains(name) && reread[keyPath: share] == 0)
    }

    /// Face crops follow the head, not the expression, and the written landmarks are in crop pixels.
    @Test func faceCropsFollowTheHeadAndCarryTheirLandmarks() throws {
        var clip = SyntheticClip(id: "x", label: "Surprise", seed: 9, frameCount: 16, size: 128)
        clip.poseStart = .zero; clip.poseEnd = .zero; clip.drift = .zero
        // The jaw drops, the crop stays where it was.
        #expect(clip.faceBox(at: 0) == clip.faceBox(at: 15))
        #expect(clip.landmarks(at: 15)[8].y > clip.landmarks(at: 0)[8].y + 2)
        clip.drift = SIMD2(0.05, 0)
        #expect(clip.faceBox(at: 15).x > clip.faceBox(at: 0).x)

        let scratch = Scratch()
        var config = SyntheticConfig()
        config.trainPerClass = 1; config.testPerClass = 0; config.frames = 3; config.size = 40; config.faceCrops = true; config.parsingMaps = true
        let root = scratch.path("crops")
        try SyntheticDataset.write(config, to: root)
        let d = try DatasetFormat.list.open(root: root, fold: nil)
        let first = d.splits["train"]![0]
        let source = try openFrameSource(first.path)
        #expect(source.frameCount == 3)
        let frame = try source.clip([0])[0]
        #expect(frame.width == 40 && frame.height == 40)
        let table = try LandmarksFile(String(contentsOfFile: root + "/landmarks/\(first.id).csv", encoding: .utf8), path: "x")
        let points = try #require(table.points[0])
        let xs = points.map(\.x)
        // The 68 points fill most of the crop (a quarter of margin in all) and stay inside it.
        #expect(points.allSatisfy { $0.x >= 0 && $0.x <= 40 && $0.y >= 0 && $0.y <= 40 })
        #expect(xs.max()! - xs.min()! > 0.6 * 40)
        let written = try JSONDecoder().decode(SyntheticConfig.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/synth.json")))
        #expect(written == config)
        // A configuration written before face crops existed still reads.
        let old = #"{"frames":3,"jpegQuality":90,"parsingMaps":false,"seed":1,"size":40,"testPerClass":0,"trainPerClass":1}"#
        #expect(try JSONDecoder().decode(SyntheticConfig.self, from: Data(old.utf8)).faceCrops == false)
    }

    @Test func theSynthCommandWritesRefusesToOverwriteAndValidates() throws {
        let scratch = Scratch()
        let out = scratch.path("set")
        let args = ["synth", "-o", out, "--train-per-class", "1", "--test-per-class", "0", "--frames", "3", "--size", "32"]
        let first = try FinecliperBinary.run(args)
        #expect(first.status == 0 && first.output.contains("wrote 7 clips of 3 frames (32×32)"), "\(first.output)")
        let again = try FinecliperBinary.run(args)
        #expect(again.status != 0 && again.output.contains("already exists; pass --replace"), "\(again.output)")
        #expect(try FinecliperBinary.run(args + ["--replace"]).status == 0)
        let bad = try FinecliperBinary.run(["synth", "-o", scratch.path("x"), "--frames", "1"])
        #expect(bad.status != 0 && bad.output.contains("--frames must be 2…10000"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("x")))
        let huge = try FinecliperBinary.run(["synth", "-o", scratch.path("x"), "--train-per-class", "\(Int.max - 1)"])
        #expect(huge.status == 64 && !FileManager.default.fileExists(atPath: scratch.path("x")))
        // Ctrl-C: exit 130, and neither the output nor the staging folder is left behind.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FinecliperBinary.path)
        p.arguments = ["synth", "-o", scratch.path("big"), "--train-per-class", "200", "--size", "256"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? FileManager.default.contentsOfDirectory(atPath: scratch.dir)) ?? []).contains(where: { $0.hasPrefix("big.partial") }) {
            usleep(10_000)
        }
        usleep(300_000)
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.dir).filter { $0.hasPrefix("big") }.isEmpty)
    }

    /// samples/ is what `finecliper synth` makes from its saved synth.json: every text file is
    /// regenerated here and compared byte for byte (the JPEGs depend on the libavcodec build).
    @Test func theCommittedSamplesAreReproducibleFromTheirConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples").path
        let config = try JSONDecoder().decode(SyntheticConfig.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/synth.json")))
        var lists = ["train": "", "test": ""], descriptions = "", parameters = ""
        for (clip, split) in SyntheticDataset.clips(config) {
            let text = try SyntheticDataset.records(clip)
            lists[split, default: ""] += text.annotation; descriptions += text.description; parameters += text.parameters
            #expect(try String(contentsOfFile: root + "/landmarks/\(clip.id).csv", encoding: .utf8) == SyntheticDataset.landmarksCSV(clip))
            let frames = try FileManager.default.contentsOfDirectory(atPath: root + "/frames/" + clip.id)
            #expect(frames.count == clip.frameCount)
        }
        for (split, text) in lists {
            #expect(try String(contentsOfFile: root + "/annotation/synth_set_1_\(split).txt", encoding: .utf8) == text)
        }
        #expect(try String(contentsOfFile: root + "/descriptions.jsonl", encoding: .utf8) == descriptions)
        #expect(try String(contentsOfFile: root + "/clips.jsonl", encoding: .utf8) == parameters)
    }
}
