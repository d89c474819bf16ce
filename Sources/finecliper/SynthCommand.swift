import ArgumentParser
import Datasets
import Foundation

/// `finecliper synth`: synthetic expression clips as a dataset in DFER-CLIP's layout.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic expression clips (frames, annotation lists, descriptions, landmarks).",
        discussion: """
            Faces are drawn from FACS-style action units with DFEW's seven classes, varied in identity, pose, \
            lighting and timing. The same seed and options always give the same dataset; they are saved in \
            OUT/synth.json. Open the result with `finecliper tui --data OUT`.
            """)

    @Option(name: .shortAndLong, help: "Output folder (created; must not exist unless --replace).")
    var out: String

    @Option(help: "Training clips per class.")
    var trainPerClass = 8

    @Option(help: "Test clips per class.")
    var testPerClass = 2

    @Option(help: "Frames per clip.")
    var frames = 16

    @Option(help: "Frame width and height in pixels.")
    var size = 112

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "JPEG quality (1-100).")
    var quality = 90

    @Flag(help: "Also write each frame's parsing map (parsing/<id>/NNNNN.png, class index per pixel).")
    var parsing = false

    @Flag(help: "Write face crops (as DFEW ships its clips): the neutral face's landmark box, enlarged by a quarter, following the head but not the expression.")
    var faceCrops = false

    @Flag(help: "Harder clips: intensities down to 0.3, blends of confusable classes, talking-like mouth movement, more head motion.")
    var hard = false

    @Option(help: "Share of clips (0–1) rendered from real face photos, warped by the same action units, instead of drawn faces (needs scripts/setup's photos and face models). A photo the real-face reference finds smiling animates happy clips only.")
    var realFaces = 0.0

    @Flag(help: "Real faces keep their own proportions (landmarks), moved by the action units, instead of being warped to a drawn face's.")
    var photoShapes = false

    @Option(help: "Share of happy clips (0–1) that laugh: the jaw drops with the smile.")
    var laughing = 0.0

    @Option(help: "Share of sad clips (0–1) that cry: the brows knit, the eyes squeeze, the mouth stretches open.")
    var crying = 0.0

    @Option(help: "Share of clips (0–1) whose expression is already under way (at half its apex or more) at the first frame, as in clips cut from longer videos.")
    var held = 0.0

    @Flag(help: "Replace OUT if it exists.")
    var replace = false

    func validate() throws {
        guard (0...100_000).contains(trainPerClass), (0...100_000).contains(testPerClass), trainPerClass + testPerClass > 0 else {
            throw ValidationError("--train-per-class and --test-per-class must be 0…100000 and not both 0")
        }
        guard (2...10_000).contains(frames) else { throw ValidationError("--frames must be 2…10000") }
        guard (16...2048).contains(size) else { throw ValidationError("--size must be 16…2048") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1…100") }
        guard (0...1).contains(realFaces) else { throw ValidationError("--real-faces must be between 0 and 1") }
        guard !photoShapes || realFaces > 0 else { throw ValidationError("--photo-shapes needs --real-faces") }
        guard (0...1).contains(laughing) else { throw ValidationError("--laughing must be between 0 and 1") }
        guard (0...1).contains(crying) else { throw ValidationError("--crying must be between 0 and 1") }
        guard (0...1).contains(held) else { throw ValidationError("--held must be between 0 and 1") }
    }

    func run() throws {
        var config = SyntheticConfig()
        config.seed = seed; config.trainPerClass = trainPerClass; config.testPerClass = testPerClass
        config.frames = frames; config.size = size; config.jpegQuality = quality; config.parsingMaps = parsing; config.faceCrops = faceCrops; config.hard = hard
        config.laughing = laughing; config.crying = crying; config.held = held; config.photoShapes = photoShapes
        let textures = realFaces > 0 ? try RealFaceTextures.load() : []
        if realFaces > 0 {
            guard textures.count >= 4 else { throw CommandError("only \(textures.count) real face textures were found; run scripts/setup", kind: .missingInput) }
            config.realFaces = realFaces
            config.textures = textures.map(\.name)
            config.textureExpressions = Dictionary(uniqueKeysWithValues: textures.compactMap { t in t.expression.map { (t.name, $0) } })
            print(RealFaceTextures.summary(textures))
        }
        let bar = ProgressBar(label: "synth")
        StopSignal.install()
        try SyntheticDataset.write(config, to: out, replace: replace, textures: textures) { done, total in
            if StopSignal.requested { throw CommandError("interrupted; \(out) was not written", kind: .interrupted) }
            bar.update(done, of: total)
        }
        bar.finish()
        let total = (trainPerClass + testPerClass) * EmotionClasses.seven.count
        print("wrote \(total) clips of \(frames) frames (\(size)×\(size)) to \(out)")
    }
}
