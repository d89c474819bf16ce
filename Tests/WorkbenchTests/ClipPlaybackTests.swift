import Foundation
import Media
import Testing
import TestSupport
@testable import Workbench

/// Background playback keeps memory bounded on long clips: pixels for a window from the playhead,
/// refilled (with the right frames) wherever the playhead moves.
@Suite struct ClipPlaybackTests {
    static let media = GeneratedMedia()

    func waitUntil(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !condition() && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        return condition()
    }

    @Test func aLongClipKeepsOnlyAWindowOfFramesAroundThePlayhead() throws {
        let file = try Self.media.clip("long.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12"], seconds: "4.8")
        let entry = ClipEntry(id: "long", path: file)
        let p = ClipPlayback(entry: entry, faceModels: nil, maxSide: 160, memoryBudget: 1)
        defer { p.cancel() }
        #expect(waitUntil { p.isOpen } && p.frameCount == 120)
        #expect(waitUntil { p.isTracked(119) })
        #expect(p.windowSize == 32 && p.cachedFrames <= 32 && p.frame(at: 0) != nil && p.frame(at: 40) == nil)

        p.playhead = 80
        #expect(waitUntil { p.frame(at: 80) != nil && p.frame(at: 111) != nil && p.frame(at: 0) == nil })
        #expect(p.cachedFrames <= 32)
        // A frame decoded again on demand is the same picture as a direct decode of that frame.
        let direct = try VideoReader(path: file).frame(at: 80)
        let expected = direct.resizedBilinear(width: 160, height: 120)
        #expect(p.frame(at: 80)?.pixels == expected.pixels)

        p.playhead = 110   // the window wraps to the start, where playback loops
        #expect(waitUntil { p.frame(at: 5) != nil && p.frame(at: 80) == nil })
        #expect(p.error == nil)
    }

    @Test func memoryStaysBoundedWhilePlaybackRunsAheadOfDecoding() throws {
        let file = try Self.media.clip("run.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "25"], seconds: "8")
        let p = ClipPlayback(entry: ClipEntry(id: "run", path: file), faceModels: nil, maxSide: 160, memoryBudget: 1)
        defer { p.cancel() }
        #expect(waitUntil { p.isOpen } && p.frameCount == 200)
        // Play at 500 frames/s while the clip is still being read: never more than the window (plus
        // the run being decoded) in memory, and the frame under the playhead keeps arriving.
        var most = 0, shownNearHead = 0
        for head in stride(from: 0, to: 200, by: 2) {
            p.playhead = head
            Thread.sleep(forTimeInterval: 0.004)
            most = max(most, p.cachedFrames)
            if (max(0, head - 8)...head).contains(where: { p.frame(at: $0) != nil }) { shownNearHead += 1 }
        }
        #expect(most <= 32 + 16, "at most \(most) frames in memory")
        p.playhead = 150
        #expect(waitUntil { p.frame(at: 150) != nil && p.frame(at: 181) != nil })
        print("frames near the playhead while racing ahead: \(shownNearHead) of 100")
    }

    @Test func aShortClipStaysInMemoryWhole() throws {
        let file = try Self.media.clip("short.mp4", codec: ["-c:v", "libx264", "-pix_fmt", "yuv420p"], seconds: "1")
        let p = ClipPlayback(entry: ClipEntry(id: "short", path: file), faceModels: nil)
        defer { p.cancel() }
        #expect(waitUntil { p.isOpen && p.isTracked(p.frameCount - 1) } && p.cachedFrames == p.frameCount)
    }
}
