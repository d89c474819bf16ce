import Foundation
import Media

/// What a quick look at a clip tells before it is opened: frame count, duration, resolution and
/// codec, size on disk.
public struct ClipFacts: Sendable, Equatable {
    public var frames: Int
    public var seconds: Double
    /// "640×360 h264", or "frame folder".
    public var format: String
    public var bytes: Int64
}

/// Looks at loose clips one after another on a thread of its own (headers and packet index only,
/// nothing decoded), so the browser can show frames, duration, size and codec, and mark a clip
/// that cannot be opened, before anyone plays it. Results are collected with `take()`.
public final class ClipScan: @unchecked Sendable {
    public let total: Int
    private let lock = NSLock()
    private var ready: [(index: Int, result: Result<ClipFacts, MediaFailure>)] = []
    private var finished = 0
    private var cancelled = false

    /// A reason a clip could not be looked at, as the browser shows it.
    public struct MediaFailure: Error, Sendable, Equatable { public let message: String }

    public init(paths: [String], folderFrameRate: Double = 25) {
        total = paths.count
        Thread.detachNewThread { [self] in
            for (i, path) in paths.enumerated() {
                if lock.withLock({ cancelled }) { return }
                let result: Result<ClipFacts, MediaFailure>
                do { result = .success(try Self.facts(path, folderFrameRate: folderFrameRate)) } catch {
                    result = .failure(MediaFailure(message: "\(error)"))
                }
                lock.withLock { ready.append((i, result)); finished += 1 }
            }
        }
    }

    /// Results that arrived since the last call, by index into the paths.
    public func take() -> [(index: Int, result: Result<ClipFacts, MediaFailure>)] {
        lock.withLock { defer { ready = [] }; return ready }
    }

    public var done: Int { lock.withLock { finished } }

    public func cancel() { lock.withLock { cancelled = true } }

    static func facts(_ path: String, folderFrameRate: Double) throws -> ClipFacts {
        let source = try openFrameSource(path, frameRate: folderFrameRate)
        guard source.frameCount > 0 else { throw MediaError.noFrames(path: path) }
        let fm = FileManager.default
        if let video = source as? VideoReader {
            let bytes = ((try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            let last = video.timestamps.last ?? 0, first = video.timestamps.first ?? 0
            let seconds = last - first + (video.frameRate > 0 ? 1 / video.frameRate : 0)
            return ClipFacts(frames: video.frameCount, seconds: seconds, format: "\(video.width)×\(video.height) \(video.codecName)", bytes: bytes)
        }
        let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        let bytes = names.reduce(Int64(0)) { $0 + (((try? fm.attributesOfItem(atPath: path + "/" + $1))?[.size] as? NSNumber)?.int64Value ?? 0) }
        return ClipFacts(frames: source.frameCount, seconds: Double(source.frameCount) / max(source.frameRate, 1e-9), format: "frame folder", bytes: bytes)
    }
}
