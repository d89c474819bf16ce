import CLIP
import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore

/// One image/text pair for contrastive pretraining: the face crop of a synthetic frame in one of
/// the three visual streams, and words that describe what it shows.
public struct PretrainPair: Sendable {
    public var image: RGBImage
    public var text: String
    /// The class the frame shows (DFEW's order): the clip's class at its apex, Neutral before the
    /// expression has built up.
    public var label: Int
    public var stream: VisualStream
}

/// Image/text pairs drawn from the synthetic clip generator, each fully determined by (seed,
/// index), so a pretraining run needs no dataset on disk and resumes exactly. The texts are of
/// the kinds FineCLIPER later feeds the text tower: positive class prompts, action-unit phrases,
/// both together, and the clip's movement description.
public enum PretrainPairs {
    /// Frames whose expression has reached this fraction of the apex show their class.
    static let visible = 0.4
    static let neutral = EmotionClasses.seven.firstIndex(of: "Neutral")!
    /// DFEW's brightness jitter and flips without its random sized crop, whose small crops often
    /// cut away the features a text names (the generator already varies position and scale).
    static let augmentation = ClipAugmentation(brightness: 0.5, randomSizedCrop: false, horizontalFlip: true)

    /// The pair at `index`: training pairs are augmented (`augment`), probe
    /// pairs are plain resizes of frames near the apex.
    /// With `textures`, a `realFaces` share of the pairs shows one of them animated (drawn with
    /// a generator of its own, so the other pairs of a seed stay what they were), among those
    /// that fit the pair's class (`FaceTexture.fits`).
    public static func pair(seed: UInt64, index: UInt64, size: Int, augment: Bool, textures: [FaceTexture] = [], realFaces: Double = 0,
                            photoShapes: Bool = false) -> PretrainPair {
        var g = SeededGeneratorFactory.make(seed, 0x5052_4554, index)
        let label = g.integer(below: EmotionClasses.seven.count)
        var clip = SyntheticClip(id: "pair", label: EmotionClasses.seven[label], seed: g.next(), frameCount: 16, size: frameSize(size))
        var t = SeededGeneratorFactory.make(seed, 0x5445_5854, index)
        let fitting = textures.filter { $0.fits(clip.label) }
        let texture = !fitting.isEmpty && Double(t.nextUnit()) < realFaces ? fitting[t.integer(below: fitting.count)] : nil
        clip.texture = texture?.name
        if photoShapes, let texture { clip.wear(texture) }
        let apex = (0..<clip.frameCount).filter { clip.envelope(at: $0) >= (augment ? 0.5 : 0.8) }
        let frame = !apex.isEmpty && (!augment || g.nextUnit() < 0.8) ? apex[g.integer(below: apex.count)] : g.integer(below: clip.frameCount)
        let stream = VisualStream.allCases[g.integer(below: VisualStream.allCases.count)]
        let box = clip.faceBox(at: frame)
        let image = render(clip, frame: frame, stream: stream, texture: texture).cropped(x: box.x, y: box.y, width: box.side, height: box.side)
        var h = g
        let input = augment ? Self.augmentation.apply([image], size: size, using: &h)[0] : ClipAugmentation.test([image], size: size)[0]
        g = h
        // A photo that already shows the class shows it from the first frame.
        let shown = clip.envelope(at: frame) >= visible || texture?.expression != nil ? label : neutral
        return PretrainPair(image: input, text: text(clip, frame: frame, shown: shown, resting: texture?.expression == nil, using: &g),
                            label: shown, stream: stream)
    }

    /// The generated frame for images of `size` pixels: the generator's 112 (whose face crops
    /// are at least 64 pixels), or twice the image size above 64, as `synth --face-crops` renders,
    /// so the face crop has at least the image's resolution.
    static func frameSize(_ size: Int) -> Int { size > 64 ? 2 * size : 112 }

    /// A frame as a stream shows it, rendered as `ClipLoader` renders dataset clips.
    static func render(_ clip: SyntheticClip, frame: Int, stream: VisualStream, texture: FaceTexture? = nil) -> RGBImage {
        let image = texture.map { clip.render(frame: frame, texture: $0).image } ?? clip.render(frame: frame).image
        let points = clip.landmarks(at: frame)
        switch stream {
        case .video: return image
        case .parsing: return ParsingMap(landmarks: points, width: image.width, height: image.height).overlay(on: image)
        case .landmarks: return LandmarkRender.dots(on: image, points: points)
        }
    }

    /// The positive prompt of each class (FineCLIPER's default template, DFEW's order).
    public static let classPrompts: [String] = {
        let config = FineCLIPERConfig(clip: .tiny, variant: .all, classNames: FineCLIPERConfig.sevenClassNouns)
        return config.classNames.map(config.positivePrompt)
    }()

    /// Words for the frame; a face that is not `resting` (a photo already showing its class) is
    /// never called relaxed and still, only named by its prompt until its movement shows.
    static func text(_ clip: SyntheticClip, frame: Int, shown: Int, resting: Bool = true, using g: inout SeededGenerator) -> String {
        let units = clip.intensities(at: frame).filter { $0.intensity >= 0.25 }.sorted { $0.intensity > $1.intensity }
        if units.isEmpty && !resting { return classPrompts[shown] }
        let phrases = units.isEmpty ? "the face is relaxed and still" : list(units.map(\.unit.phrase))
        let prompt = classPrompts[shown]
        let r = g.nextUnit()
        if r < 0.35 { return prompt }
        if r < 0.7 { return phrases }
        if r < 0.85 || clip.envelope(at: frame) < 0.5 { return prompt + ": " + phrases }
        return clip.movementDescription
    }

    static func list(_ items: [String]) -> String {
        items.count == 1 ? items[0] : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
