import Face
import Foundation

/// How one facial measure moves over a clip, a value per frame (NaN where the face was not found
/// or the frame is not tracked yet): what the player plots beside the description.
public struct MotionCurve: Sendable, Equatable {
    public var name: String
    public var values: [Double]
}

extension ClipPlayback {
    /// Brow raise, eye opening, lip-corner lift and mouth opening per frame, in inter-ocular
    /// distances (the measures the motion describer words), for the frames tracked so far.
    /// Cached until more frames are tracked (the player asks on every redraw).
    public func motionCurves() -> [MotionCurve] {
        lock.lock()
        let n = count, points = tracks, cached = curves
        lock.unlock()
        if let cached, cached.tracked == points.count { return cached.curves }
        let measures = (0..<n).map { i in points[i].flatMap { $0.count == 68 ? FaceMeasures($0) : nil } }
        func curve(_ name: String, _ value: (FaceMeasures) -> Double) -> MotionCurve {
            MotionCurve(name: name, values: measures.map { $0.map(value) ?? .nan })
        }
        let result = [curve("brows", \.browRaise), curve("eyes", \.eyeOpening), curve("lip corners", \.lipCornerLift),
                      curve("mouth", \.mouthOpening)]
        lock.lock(); curves = (points.count, result); lock.unlock()
        return result
    }
}
