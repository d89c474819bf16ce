import ArgumentParser
import Face
import Foundation
import Media

/// `finecliper describe CLIP`: the built-in motion describer's text for a clip.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe the facial movements in a video or frame folder (no emotion words).",
        discussion: "Tracks the face, measures brows, eyes, mouth, jaw and head pose against the inter-ocular distance, and names what changes between the start and the apex of the clip.")

    @Argument(help: "A video file or a folder of frame images.")
    var clip: String

    @Flag(help: "Also list each measured change.")
    var verbose = false

    func run() throws {
        let tracker = try FaceTools.tracker()
        var track: [[SIMD2<Double>]] = []
        try FaceTools.open(clip).forEachFrame { i, t, image in
            track.append(try tracker.process(image, frame: i, timestamp: t).points)
        }
        guard track.contains(where: { $0.count == 68 }) else { throw CommandError("\(clip): no face found in any frame") }
        print(MotionDescriber.describe(track))
        if verbose {
            for c in MotionDescriber.changes(track) {
                print(String(format: "  %@ %+.3f (threshold %.3f): %@", c.measure as NSString, c.delta,
                             MotionDescriber.thresholds[c.measure]!, c.phrase as NSString))
            }
        }
    }
}
