import Foundation
import Testing
import TestSupport
@testable import TUI
@testable import Workbench

/// What a day in the workbench needs from the browser and player: the selection follows the clip
/// through sorting, an empty filter says so, messages fade and stay in a log, the player shows
/// time, tracking progress and neighbours, and a clip that fails says so everywhere.
@Suite(.serialized) struct DailyUseTests {
    static let media = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/media").path

    func catalog() -> ClipCatalog {
        ClipCatalog(title: "t", classes: ["A", "B"], clips: [
            ClipEntry(id: "b", path: "/b", label: "B", frames: 10), ClipEntry(id: "a", path: "/a", label: "B", frames: 30),
            ClipEntry(id: "c", path: "/c", label: "A", frames: 20)])
    }

    /// Keys that mean nothing where they are pressed say so (unbound keys, and actions of another screen).
    @Test func keysThatDoNothingSaySo() {
        let app = App(catalog: catalog(), faceModels: nil)
        app.handle("l")
        #expect(app.messages.last == "l (toggle landmarks) does nothing on this screen (? lists its keys)")
        app.handle("z")
        #expect(app.messages.last == "z is not bound to anything (? lists the keys)")
        let before = app.messages.count
        app.handle("j"); app.handle("S")
        #expect(app.messages.count == before, "keys the browser acts on are not reported")
    }

    @Test func sortingKeepsTheSelectedClipAndReverses() {
        let app = App(catalog: catalog(), faceModels: nil)
        app.handle("j")   // clip a (second in file order)
        #expect(app.browser.visible[app.browser.table.selection.selected] == 1)
        app.handle("s")   // by id: a, b, c
        #expect(app.browser.visible == [1, 0, 2] && app.browser.table.selection.selected == 0, "still on clip a")
        app.handle("S")
        #expect(app.browser.visible == [2, 0, 1] && app.browser.table.selection.selected == 2, "reversed, still on clip a")
        #expect(app.render(width: 100, height: 20).text.contains("sorted by id, reversed (s, S)"))
    }

    @Test func anEmptyFilterSaysSoAndMessagesFadeIntoALog() {
        let app = App(catalog: catalog(), faceModels: nil)
        for k in ["/", "z", "z", "enter"] { app.handle(k) }
        var text = app.render(width: 100, height: 20).text
        #expect(text.contains("0 of 3 clips") && text.contains("no clips match \"zz\" (Esc clears the filter)"))
        app.handle("esc")
        app.messages = ["first problem", "second problem"]
        text = app.render(width: 100, height: 20).text
        #expect(text.contains("second problem  (m: all 2)"))
        let lines = text.split(separator: "\n")
        #expect(lines[lines.count - 3].hasPrefix("└"), "the message sits below the box, not on its border")
        app.messageTime = Date(timeIntervalSinceNow: -9)
        #expect(!app.render(width: 100, height: 20).text.contains("second problem"), "gone after 8 s")
        app.handle("m")
        text = app.render(width: 100, height: 20).text
        #expect(text.contains("Messages, newest first") && text.contains("first problem") && text.contains("second problem"))
        app.handle("esc")
        #expect(!app.render(width: 100, height: 20).text.contains("Messages, newest first"))
        app.handle("ctrl-l")
        #expect(app.repaint, "Ctrl-L asks for a full repaint")
    }

    @Test func thePlayerShowsTimeStepsToNeighboursAndStopsWithoutLoop() throws {
        let app = App(catalog: ClipCatalog.loose([Self.media]), faceModels: nil)
        let ids = app.browser.visible.map { app.catalog.clips[$0].id }
        let single = try #require(ids.firstIndex(of: "single_face"))
        for _ in 0..<single { app.handle("j") }
        app.handle("enter")
        var text = ""
        for _ in 0..<200 where !text.contains("frame 1 / 72") { app.tick(); text = app.render(width: 120, height: 30).text; Thread.sleep(forTimeInterval: 0.01) }
        #expect(text.contains("frame 1 / 72 · 0:00.0 / 0:02.4 · 30.00 fps"), "\(text)")
        app.handle("space"); app.handle("right")
        #expect(app.render(width: 120, height: 30).text.contains("frame 31 / 72 · 0:01.0 / 0:02.4"))
        app.handle("r")   // loop off: playback stops on the last frame
        app.handle("end"); app.handle("space")
        let t0 = Date()
        app.player.lastTick = t0
        app.tick(now: t0.addingTimeInterval(1))
        #expect(app.player.frameIndex == 71 && !app.player.playing && app.player.mode(app: app) == "paused")
        app.handle("[")
        #expect(app.player.playback?.entry.id == (single > 0 ? ids[single - 1] : "single_face") && app.screen == .player)
        app.handle("]")
        #expect(app.player.playback?.entry.id == "single_face")
        for _ in ids { app.handle("]") }
        #expect(app.player.playback?.entry.id == ids.last && app.messages.last == "last clip in the list")
    }

    @Test func aClipThatCannotBeOpenedIsFailedEverywhere() throws {
        let scratch = Scratch()
        let app = App(catalog: ClipCatalog.loose([scratch.write("broken.mp4", "not a video")]), faceModels: nil)
        app.handle("enter")
        var text = ""
        for _ in 0..<200 where !text.contains("Cannot play this clip") { app.tick(); text = app.render(width: 100, height: 30).text; Thread.sleep(forTimeInterval: 0.01) }
        #expect(text.contains("broken   failed"), "\(text)")
        #expect(!text.contains("opening…") && !text.contains("timeline") && !text.contains("computing"), "\(text)")
        #expect(text.contains(" failed │"), "the status bar says failed, not playing")
        #expect(text.contains("landmarks none (the clip fai"), "without a model the pane is the clip’s own facts")
    }

    @Test func helpScrollsOnSmallScreensAndNamesTheSettingsFiles() {
        let app = App(catalog: catalog(), faceModels: nil)
        app.settingsFiles = ["/cfg/finecliper/config.toml", "/cfg/finecliper/keys.toml"]
        app.handle("?")
        var text = app.render(width: 80, height: 24).text
        #expect(text.contains("Keys — Esc closes · 1–19 of") && text.contains("j/k scroll") && text.contains("— this screen —"), "\(text)")
        for _ in 0..<100 { app.handle("j") }
        text = app.render(width: 80, height: 24).text
        #expect(text.contains("— settings —") && text.contains("/cfg/finecliper/keys.toml"), "the end of the list is reachable:\n\(text)")
        app.handle("home")
        #expect(app.render(width: 80, height: 24).text.contains("Keys — Esc closes · 1–19 of"))
        #expect(app.render(width: 200, height: 60).text.contains("/cfg/finecliper/config.toml") && !app.render(width: 200, height: 60).text.contains("scroll"),
                "everything fits side by side on a large screen")
        app.handle("esc")
        #expect(app.screen == .browser)
    }
}

/// Loose videos are looked at in the background: frames, duration, size and codec in the list,
/// and a file that cannot be opened is marked before anyone plays it.
@Suite(.serialized) struct LooseClipScanTests {
    @Test func looseClipsShowTheirFactsAndBrokenOnesAreMarked() throws {
        let scratch = Scratch()
        let broken = scratch.write("broken.mp4", "not a video at all")
        let app = App(catalog: ClipCatalog.loose([AppTests.media + "/single_face.mp4", broken]), faceModels: nil)
        for _ in 0..<500 where (app.scan?.done ?? 0) < 2 { Thread.sleep(forTimeInterval: 0.01) }
        app.tick()
        let single = try #require(app.catalog.clips.first { $0.id == "single_face" }?.facts)
        #expect(single.frames == 72 && single.format.hasSuffix("h264") && single.bytes > 10_000 && abs(single.seconds - 2.4) < 0.05, "\(single)")
        #expect(app.catalog.clips.first { $0.id == "broken" }?.error != nil)
        let text = app.render(width: 140, height: 20).text
        #expect(text.contains("0:02") && text.contains("h264") && text.contains("kB") && text.contains("✗"), "\(text)")
        #expect(BrowserScreen.bytes(999) == "999 B" && BrowserScreen.bytes(1_234_567) == "1.2 MB" && BrowserScreen.bytes(45_600) == "46 kB")
    }
}

/// Landmark groups (`L`) and, for generated clips, the ground-truth landmarks beside the detected ones.
@Suite(.serialized) struct LandmarkDisplayTests {
    @Test func groupsNarrowTheDotsAndGroundTruthShowsBeside() throws {
        let root = ModelScreensTests.root
        let catalog = try ClipCatalog.dataset(root: root + "/samples", format: nil, fold: nil, split: "all")
        #expect(catalog.clips.allSatisfy { $0.truthLandmarks != nil })
        let app = App(catalog: catalog, faceModels: ModelScreensTests.faces)
        app.handle("enter")
        let truth = Theme.fallback["landmark_truth"], detected = Theme.fallback["landmark"]
        func count(_ c: RGB, _ b: CellBuffer) -> Int {
            var n = 0
            for y in 0..<b.height { for x in 0..<b.width where b[x, y].fg == c || b[x, y].bg == c { n += 1 } }
            return n
        }
        app.handle("space")   // paused on the first frame
        var screen = app.render(width: 160, height: 50)
        for _ in 0..<500 where count(detected, screen) == 0 || count(truth, screen) == 0 {
            Thread.sleep(forTimeInterval: 0.01)
            app.tick(); screen = app.render(width: 160, height: 50)
        }
        let (allTruth, allDetected) = (count(truth, screen), count(detected, screen))
        #expect(allTruth > 20 && allDetected > 20, "truth \(allTruth), detected \(allDetected)")
        #expect(screen.text.contains("ground truth"))
        for _ in 0..<5 { app.handle("L") }   // all → jaw → brows → nose → eyes → mouth
        screen = app.render(width: 160, height: 50)
        #expect(screen.text.contains("landmarks on (mouth)"))
        let (mouthTruth, mouthDetected) = (count(truth, screen), count(detected, screen))
        #expect(mouthTruth > 0 && mouthTruth < allTruth / 2 && mouthDetected > 0 && mouthDetected < allDetected / 2,
                "mouth: truth \(mouthTruth), detected \(mouthDetected)")
        app.handle("L")
        #expect(!app.render(width: 160, height: 50).text.contains("landmarks on ("))
    }
}
