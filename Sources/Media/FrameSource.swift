import Foundation
import TensorCore

/// Anything a clip's frames can be read from: a video file or a folder of numbered images.
public protocol FrameSource: AnyObject {
    var path: String { get }
    var frameCount: Int { get }
    /// Frames per second (a dataset's nominal rate for frame folders).
    var frameRate: Double { get }
    /// Frames at `indices`, natively sized or scaled to `size`; undecodable ones listed in `failed`.
    func frames(at indices: [Int], size: (width: Int, height: Int)?) throws -> (frames: [Int: RGBImage], failed: [Int])
}

extension VideoReader: FrameSource {}

extension FrameSource {
    /// When frame `i` is shown, in seconds: a video's presentation time stamp, else i / frameRate.
    /// Trackers smooth over these, so every path that tracks a clip uses the same times.
    public func timestamp(of i: Int) -> Double {
        (self as? VideoReader).map { $0.timestamps[i] } ?? Double(i) / max(frameRate, 1e-9)
    }

    /// Calls `body` with every decodable frame and its time stamp; returns the frames that failed,
    /// and throws when none decodes.
    @discardableResult
    public func forEachFrame(_ body: (Int, Double, RGBImage) throws -> Void) throws -> [Int] {
        var failed: [Int] = []
        for i in 0..<frameCount {
            guard let image = try frames(at: [i], size: nil).frames[i] else { failed.append(i); continue }
            try body(i, timestamp(of: i), image)
        }
        // A clip none of whose frames decode is an error, not an empty result.
        guard failed.count < frameCount else { throw MediaError.noFrames(path: path) }
        return failed
    }
}

extension FrameSource {
    /// The frames at `indices` in that order (repeats allowed), or an error naming those that failed.
    public func clip(_ indices: [Int], size: (width: Int, height: Int)? = nil) throws -> [RGBImage] {
        let r = try frames(at: indices, size: size)
        if !r.failed.isEmpty {
            throw MediaError.decodeFailed(path: path, frames: Array(Set(r.failed)).sorted(), reason: "corrupt or missing data")
        }
        return indices.map { r.frames[$0]! }
    }
}

/// Opens a video file or a frame folder, whichever `path` is.
public func openFrameSource(_ path: String, frameRate: Double = 25, threads: Int = 1) throws -> FrameSource {
    let kind = FileKind(path)
    if let error = kind.mediaError(path) { throw error }
    return kind == .directory ? try FrameFolder(path: path, frameRate: frameRate) : try VideoReader(path: path, threads: threads)
}
