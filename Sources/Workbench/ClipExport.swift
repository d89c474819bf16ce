import Datasets
import Face
import Foundation
import Media
import TensorCore

extension ClipPlayback {
    /// The frame where the face differs most from the clip's start (the motion describer's apex),
    /// among the frames tracked so far; nil before two faces are tracked.
    /// Cached until more frames are tracked (the motion pane asks on every redraw).
    public var apexFrame: Int? {
        lock.lock()
        let n = count, points = tracks, cached = apexCache
        lock.unlock()
        if let cached, cached.tracked == points.count { return cached.apex }
        let apex = MotionDescriber.apex((0..<n).map { points[$0] ?? [] })?.index
        lock.lock(); apexCache = (points.count, apex); lock.unlock()
        return apex
    }

    /// What an export wrote.
    public struct Export: Sendable {
        public var image: String
        public var landmarks: String
        public var description: String?
    }

    /// Writes into `folder` (created if missing): frame `frame` at the clip's own resolution as PNG
    /// with the overlays the player shows (landmark dots, parsing colours), the landmarks of every
    /// tracked frame as CSV (frame, timestamp, success, x_0…x_67, y_0…y_67) and the clip's
    /// description as text. Files are named after the clip and written atomically.
    public func export(frame: Int, landmarks showLandmarks: Bool, parsing showParsing: Bool, to folder: String) throws -> Export {
        lock.lock()
        let points = tracks, n = count, text = entry.description ?? motionDescription
        lock.unlock()
        let source = try openFrameSource(entry.path, frameRate: frameRate)
        guard var image = try source.frames(at: [frame], size: nil).frames[frame] else { throw MediaError.noFrames(path: entry.path) }
        let face = points[frame].flatMap { $0.count == 68 ? $0 : nil }
        if showParsing, let face { image = ParsingMap(landmarks: face, width: image.width, height: image.height).overlay(on: image, dimBackground: false) }
        if showLandmarks, let face { image = LandmarkRender.dots(on: image, points: face, radius: max(1.5, Double(image.width) / 320)) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stem = folder + "/" + entry.id.replacingOccurrences(of: "/", with: "_")
        let png = stem + String(format: "-frame%05d.png", frame + 1)
        let temporary = png + ".partial.png"
        try MediaWriter.writePNG(image, to: temporary)
        guard rename(temporary, png) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: png])
        }
        var csv = "frame,timestamp,success," + LandmarksFile.coordinateHeader + "\n"
        for i in 0..<n {
            let p = points[i].flatMap { $0.count == 68 ? $0 : nil }
            csv += "\(i),\(String(format: "%.4f", source.timestamp(of: i))),\(p == nil ? 0 : 1)," + LandmarksFile.coordinateFields(p).joined(separator: ",") + "\n"
        }
        try AtomicFile.write(Data(csv.utf8), to: stem + "-landmarks.csv")
        var written: String?
        if let text {
            written = stem + "-description.txt"
            try AtomicFile.write(Data((text + "\n").utf8), to: written!)
        }
        return Export(image: png, landmarks: stem + "-landmarks.csv", description: written)
    }
}
