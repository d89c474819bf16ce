import Foundation

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
