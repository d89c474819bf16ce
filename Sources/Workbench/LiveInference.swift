import Face
import Foundation
import Media

/// The inference job of one playing clip: the tracker hands it each frame with its landmarks; a
/// thread of its own crops the face and, whenever enough new frames have arrived (`every`, or a
/// quarter more than were last scored, so a long video is rescored a logarithmic number of
/// times) and once more when the clip is complete, scores the frames so far and publishes the
/// result. Playback never waits for it; the thread sleeps until there is work. It keeps at most
/// `limit` face crops (38 MB at 1024), evenly spread over a video longer than that (see
/// `FaceClip.Builder`), so an hour of video plays in bounded memory.
public final class LiveInference: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        /// Fewer frames than the first scoring needs, or no face yet.
        case waiting
        case scoring
        /// Every frame of the clip has been scored.
        case done
        case failed(String)
    }

    let model: ClassifierModel
    let every: Int
    let condition = NSCondition()
    var builder: FaceClip.Builder
    var frameIndices: [Int] = []
    var complete = false
    var cancelled = false
    var scoredCount = 0
    var latest: ClipScores?
    var state = State.waiting

    public init(model: ClassifierModel, every: Int = 8, limit: Int = FaceClip.scoredCropLimit) {
        self.model = model
        self.every = max(1, every)
        builder = FaceClip.Builder(limit: limit)
        let thread = Thread { [self] in work() }
        thread.name = "finecliper.live-inference"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// The next frame of the clip, with what the tracker found in it.
    public func add(_ image: RGBImage, found: FrameLandmarks, frame: Int) {
        condition.withLock {
            builder.add(image, found: found)
            frameIndices.append(frame)
            if due { condition.broadcast() }
        }
    }

    /// No more frames will come: score them all.
    public func finish() { condition.withLock { complete = true; condition.broadcast() } }

    public func cancel() { condition.withLock { cancelled = true; condition.broadcast() } }

    /// Whether enough new frames wait to be scored (call with the lock held).
    var due: Bool { frameIndices.count - scoredCount >= max(every, scoredCount / 4) }

    /// The latest scores (nil until the first scoring ends).
    public var scores: ClipScores? { condition.withLock { latest } }
    public var status: State { condition.withLock { state } }

    func work() {
        while true {
            condition.lock()
            while !cancelled && !(due || (complete && frameIndices.count > scoredCount)) {
                if complete { break }
                condition.wait()
            }
            if cancelled || (complete && frameIndices.count == scoredCount) {
                if !cancelled, case .scoring = state { state = .done }
                if !cancelled, latest == nil, case .waiting = state { state = .failed("no face found in any frame") }
                condition.unlock()
                return
            }
            let snapshot = builder, indices = frameIndices
            scoredCount = indices.count
            condition.unlock()
            do {
                let clip = try snapshot.finish()
                let scores = try model.score(clip, frameIndices: snapshot.kept.map { indices[$0] }, framesScored: indices.last.map { $0 + 1 })
                condition.withLock {
                    latest = scores
                    state = complete && scoredCount == frameIndices.count ? .done : .scoring
                }
            } catch FaceClipError.noFace {
                continue   // no face yet: wait for more frames
            } catch {
                condition.withLock { state = .failed("\(error)") }
                return
            }
        }
    }
}
