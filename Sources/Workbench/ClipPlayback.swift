import Datasets
import Face
import Foundation
import Media

/// A decoded frame for display, with the face landmarks once they are known.
public struct DisplayFrame: Sendable {
    public var index: Int
    public var width: Int, height: Int
    public var pixels: [UInt8]
    public var landmarks: [(Double, Double)]?
    /// Ground-truth landmarks of this frame when the clip's dataset has them (generated clips).
    public var truthLandmarks: [(Double, Double)]?
    /// The frame with the face-parsing colours blended in (0.5·frame + 0.5·colour inside the face),
    /// once landmarks are known.
    public var parsingPixels: [UInt8]?
}

/// A clip playing in a front end, with one owner per background job: the tracker decodes every
/// frame in order and finds its landmarks, the window keeper decodes the frames around the
/// playhead that are not in memory, and `LiveInference` (when a model is loaded) scores the
/// frames tracked so far. A front end shows the first frame at once and adds landmarks and scores
/// as they arrive; reads are thread-safe.
///
/// Memory stays bounded on long videos: landmarks are kept for every frame, pixels only for a
/// window of frames from the playhead on (as many as `memoryBudget` bytes hold). The window keeper
/// sleeps until the playhead moves or tracking changes what it must do.
public final class ClipPlayback: @unchecked Sendable {
    public let entry: ClipEntry
    let memoryBudget: Int
    let hasFaceModels: Bool
    let referenceModel: Bool
    /// Scores the clip as it is tracked, when a model is loaded and the face models are there.
    public let inference: LiveInference?
    let lock = NSCondition()
    var rate = 25.0
    var count = 0
    var opened = false
    /// How many frames' pixels are kept at once (set from the first decoded frame's size).
    var window = Int.max
    var frames: [Int: DisplayFrame] = [:]
    var tracks: [Int: [SIMD2<Double>]] = [:]
    /// The expression reference's probabilities per tracked frame with a face (fer's class order).
    var references: [Int: [Float]] = [:]
    /// Frames the tracker has passed (decoded, landmarks known when there is a tracker).
    var seen = Set<Int>()
    var head = 0
    /// Display size over source size, known from the first decoded frame.
    var displayScale: Double?
    var trackingDone = false
    var failure: String?
    var undecodable: [Int] = []
    var cancelled = false
    var motionDescription: String?
    var formatText: String?
    /// `motionCurves()` for the number of tracked frames it was computed from.
    var curves: (tracked: Int, curves: [MotionCurve])?
    /// `apexFrame` for the number of tracked frames it was computed from.
    var apexCache: (tracked: Int, apex: Int?)?

    /// Returns at once: opening the clip (a packet scan, long for long videos), decoding and
    /// tracking all happen in the background. `maxSide` bounds the decoded size (terminal panes
    /// need few pixels); frame folders, which carry no rate of their own, play at `folderFrameRate`.
    /// Ground-truth landmarks by frame (empty without a truth file).
    let truth: [Int: [SIMD2<Double>]]
    /// Whether the clip has ground-truth landmarks to show.
    public var hasTruthLandmarks: Bool { !truth.isEmpty }

    public init(entry: ClipEntry, faceModels: FaceModels?, model: ClassifierModel? = nil, maxSide: Int = 320, folderFrameRate: Double = 25,
                memoryBudget: Int = 256 << 20) {
        self.entry = entry
        self.memoryBudget = memoryBudget
        truth = entry.truthLandmarks.flatMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { try? LandmarksFile($0, path: path).points }
        } ?? [:]
        hasFaceModels = faceModels != nil
        referenceModel = faceModels?.reference != nil
        inference = faceModels == nil ? nil : model.map { LiveInference(model: $0) }
        let path = entry.path
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do {
                let src = try openFrameSource(path, frameRate: folderFrameRate)
                lock.lock()
                rate = src.frameRate > 0 ? src.frameRate : 25
                count = src.frameCount
                formatText = (src as? VideoReader).map { "\($0.width)×\($0.height) \($0.codecName)" } ?? "frame folder"
                opened = true
                lock.unlock()
                DispatchQueue.global(qos: .userInitiated).async { [self] in
                    do { try keepWindowFilled(path: path, folderFrameRate: folderFrameRate) } catch {
                        lock.lock(); failure = failure ?? "\(error)"; lock.unlock()
                    }
                }
                try track(src, faceModels: faceModels, maxSide: maxSide)
            } catch {
                lock.lock(); failure = "\(error)"; lock.unlock()
            }
            inference?.finish()
            lock.lock(); trackingDone = true; lock.broadcast(); lock.unlock()
        }
    }

    /// Whether frames get the real-face reference's second opinion (its model is installed).
    public var hasReference: Bool { referenceModel }

    /// The real-face reference's probabilities for `frame` in the order of `classes` (nil for a
    /// class it does not know), once the tracker has passed the frame and found a face.
    public func referenceProbabilities(at frame: Int, classes: [String]) -> [Float?]? {
        lock.lock(); defer { lock.unlock() }
        guard let p = references[frame] else { return nil }
        return EmotionClasses.map(classes, to: ExpressionReference.labels).map { $0.map { p[$0] } }
    }

    /// Resolution and codec ("640×360 h264"), or "frame folder"; nil until opened.
    public var format: String? { lock.lock(); defer { lock.unlock() }; return formatText }

    /// Whether the clip has been opened (frame rate and count known).
    public var isOpen: Bool { lock.lock(); defer { lock.unlock() }; return opened }

    /// Frames per second (25 until the clip is open).
    public var frameRate: Double { lock.lock(); defer { lock.unlock() }; return rate }

    /// Frames in the clip (0 until it is open).
    public var frameCount: Int { lock.lock(); defer { lock.unlock() }; return count }

    /// Pass 1: every frame in order through the face tracker; pixels kept for the playhead's window.
    func track(_ src: FrameSource, faceModels: FaceModels?, maxSide: Int) throws {
        let tracker = faceModels.map { FaceTracker(detector: $0.detector, predictor: $0.predictor) }
        var track: [[SIMD2<Double>]] = []
        let frameCount = self.frameCount
        for i in 0..<frameCount {
            if isCancelled { return }
            guard let image = try src.frames(at: [i], size: nil).frames[i] else {
                lock.lock(); undecodable.append(i); lock.unlock()
                continue
            }
            let scale = min(1, Double(maxSide) / Double(max(image.width, image.height)))
            let shown = Self.resized(image, scale)
            lock.lock()
            if window == .max {
                window = max(32, memoryBudget / max(1, shown.pixels.count * (hasFaceModels ? 2 : 1)))
                displayScale = scale
                lock.broadcast()
            }
            if tracker == nil { seen.insert(i) }
            let wanted = inWindow(i)
            lock.unlock()
            // Shown at once; shown again with its landmarks as soon as the tracker has them.
            if wanted { store(display(shown, index: i, scale: scale, points: nil)) }
            guard let tracker else { continue }
            let r = try tracker.process(image, frame: i, timestamp: src.timestamp(of: i))
            inference?.add(image, found: r, frame: i)
            track.append(r.points)
            let points = r.success ? r.points : []
            let opinion = points.count == 68 ? try faceModels?.reference?.probabilities(image, box: ExpressionReference.Box(landmarks: points)) : nil
            lock.lock(); tracks[i] = points; references[i] = opinion; seen.insert(i); lock.unlock()
            if wanted { store(display(shown, index: i, scale: scale, points: points)) }
        }
        let text = faceModels == nil ? nil : MotionDescriber.describe(track)
        lock.lock(); motionDescription = text; lock.unlock()
    }

    /// Beside tracking, until cancelled: drop frames outside the playhead's window and decode the
    /// ones missing from it (in short sequential runs, with a reader of its own), so playback never
    /// waits for the tracker and memory stays within the budget. Not needed when the whole clip fits.
    /// Sleeps on the condition until the playhead moves, the tracker stores a frame or stops.
    func keepWindowFilled(path: String, folderFrameRate: Double) throws {
        var src: FrameSource?
        var evictedFor = -1
        while !isCancelled {
            lock.lock()
            guard let scale = displayScale else {
                let done = trackingDone
                lock.unlock()
                if !done { lock.wait() }
                lock.unlock()
                if done { return }   // no frame could be decoded
                continue
            }
            if window >= count { lock.unlock(); return }   // the tracker keeps every frame
            if head != evictedFor { frames = frames.filter { inWindow($0.key) }; evictedFor = head }
            let start = head
            let missing = (0..<window).lazy.map { (start + $0) % self.count }
                .first { self.frames[$0] == nil && !self.undecodable.contains($0) }
            let run = missing.map { first in (first..<min(count, first + 16)).filter { inWindow($0) && frames[$0] == nil } } ?? []
            if run.isEmpty && !cancelled { lock.wait() }
            lock.unlock()
            guard !run.isEmpty else { continue }
            if src == nil { src = try openFrameSource(path, frameRate: folderFrameRate) }
            let decoded = try src!.frames(at: run, size: nil).frames
            for (i, image) in decoded.sorted(by: { $0.key < $1.key }) {
                lock.lock(); let points = tracks[i]; let wanted = inWindow(i); lock.unlock()
                if wanted { store(display(Self.resized(image, scale), index: i, scale: scale, points: points)) }
            }
            lock.lock(); undecodable += run.filter { decoded[$0] == nil && !undecodable.contains($0) }; lock.unlock()
        }
    }

    /// Whether frame `i` falls in the window that starts at the playhead (wrapping to the start,
    /// since playback loops). Call with the lock held.
    func inWindow(_ i: Int) -> Bool { window >= count || (i - head + count) % count < window }

    static func resized(_ image: RGBImage, _ scale: Double) -> RGBImage {
        scale < 1 ? image.resizedBilinear(width: max(1, Int(Double(image.width) * scale)), height: max(1, Int(Double(image.height) * scale))) : image
    }

    /// The frame as shown (already at display size), with landmarks (given in source pixels) and
    /// the parsing blend.
    func display(_ shown: RGBImage, index i: Int, scale: Double, points: [SIMD2<Double>]?) -> DisplayFrame {
        var frame = DisplayFrame(index: i, width: shown.width, height: shown.height, pixels: shown.pixels)
        frame.truthLandmarks = truth[i].map { $0.map { ($0.x * scale, $0.y * scale) } }
        guard let points else { return frame }
        frame.landmarks = points.map { ($0.x * scale, $0.y * scale) }
        if !points.isEmpty {
            let map = ParsingMap(landmarks: points.map { $0 * scale }, width: shown.width, height: shown.height)
            frame.parsingPixels = map.overlay(on: shown, dimBackground: false).pixels
        }
        return frame
    }

    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    /// Keeps a frame if it is still in the window (the playhead may have moved while it was
    /// decoded), and drops the frames the window has left whenever the store would exceed it, so
    /// memory stays within the window however far the playhead runs ahead of the decoder.
    func store(_ f: DisplayFrame) {
        lock.lock(); defer { lock.unlock() }
        guard inWindow(f.index) else { return }
        frames[f.index] = f
        if frames.count > window { frames = frames.filter { inWindow($0.key) } }
    }

    /// The frame if decoded and in memory.
    public func frame(at i: Int) -> DisplayFrame? { lock.lock(); defer { lock.unlock() }; return frames[i] }

    /// The frame the front end shows now; the worker keeps the frames after it in memory.
    public var playhead: Int {
        get { lock.lock(); defer { lock.unlock() }; return head }
        set {
            lock.lock()
            let moved = max(0, min(count - 1, newValue))
            if moved != head { head = moved; lock.broadcast() }
            lock.unlock()
        }
    }

    /// How many frames' pixels are kept in memory at most.
    public var windowSize: Int { lock.lock(); defer { lock.unlock() }; return window }

    /// How many frames' pixels are in memory.
    public var cachedFrames: Int { lock.lock(); defer { lock.unlock() }; return frames.count }

    /// Frames the tracker has passed so far.
    public var trackedCount: Int { lock.lock(); defer { lock.unlock() }; return seen.count }

    /// Whether the clip plays but some of its frames could not be decoded (a warning, not a failure).
    public var isPartlyDecoded: Bool { lock.lock(); defer { lock.unlock() }; return failure == nil && !undecodable.isEmpty && opened }

    /// Whether the tracker has seen frame `i` (its landmarks, possibly none, are known).
    public func isTracked(_ i: Int) -> Bool { lock.lock(); defer { lock.unlock() }; return seen.contains(i) }

    /// Why decoding stopped, or which frames could not be decoded (the others still play).
    public var error: String? {
        lock.lock(); defer { lock.unlock() }
        if let failure { return failure }
        guard let first = undecodable.min() else { return nil }
        let failed = Set(undecodable).count
        return failed == 1 ? "frame \(first + 1) of \(count) could not be decoded"
            : "\(failed) of \(count) frames could not be decoded (first: \(first + 1))"
    }

    public var description: String? { lock.lock(); defer { lock.unlock() }; return motionDescription }

    public func cancel() {
        inference?.cancel()
        lock.lock(); cancelled = true; lock.broadcast(); lock.unlock()
    }
}

/// The face models a session loads once and shares (front ends name them through Workbench).
public typealias FaceModels = Face.FaceModels
