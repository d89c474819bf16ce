import Foundation
import Media
import Testing
import TestSupport
@testable import TUI
@testable import Workbench

/// The app's screens drawn into a cell buffer, driven by keys, without a terminal.
@Suite(.serialized) struct AppTests {
    static let media = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/media").path

    @Test func browserFiltersOpensAPlayerAndShowsHalfBlocks() throws {
        let app = App(catalog: ClipCatalog.loose([Self.media]), faceModels: nil)
        var screen = app.render(width: 100, height: 30)
        #expect(screen.text.contains("single_face") && screen.text.contains("WolfgangLanger_Pexels"))
        for k in ["/", "s", "i", "n", "g", "l", "e", "enter"] { app.handle(k) }
        screen = app.render(width: 100, height: 30)
        #expect(screen.text.contains("1 of 5 clips") && !screen.text.contains("no_face"))
        app.handle("enter")
        #expect(app.screen == .player)
        for _ in 0..<100 where app.render(width: 100, height: 30).text.filter({ $0 == "▀" }).count < 100 { Thread.sleep(forTimeInterval: 0.02) }
        let t0 = Date()
        app.tick(now: t0)
        let before = app.player.frameIndex
        app.tick(now: t0.addingTimeInterval(1))
        #expect(app.player.frameIndex - before == 30, "one second at 30 fps")
        screen = app.render(width: 100, height: 30)
        #expect(screen.text.filter { $0 == "▀" }.count > 500)
        #expect(screen.text.contains("frame \(app.player.frameIndex + 1) / 72"))
        let paused = app.player.frameIndex
        app.handle("space"); app.handle("."); app.handle(".")
        #expect(app.player.frameIndex == paused + 2)
        app.handle("home"); app.handle("right")
        #expect(app.player.frameIndex == 30, "one second ahead at 30 fps")
        app.handle("end"); app.handle("right")
        #expect(app.player.frameIndex == 71)
        app.handle("left"); app.handle(",")
        #expect(app.player.frameIndex == 40)
        app.handle("g")
        #expect(app.glyphs == .ascii)
        app.handle("esc")
        #expect(app.screen == .browser)
        #expect(app.handle("q") == false)
    }

    @Test func landmarksAndParsingOverlayAppearOnceTracked() throws {
        let root = URL(fileURLWithPath: Self.media).deletingLastPathComponent().path
        let models = try FaceModels.load(blazeFace: root + "/face_detection_short_range.tflite",
                                         dlibLandmarks: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat")
        let app = App(catalog: ClipCatalog.loose([Self.media + "/single_face.mp4"]), faceModels: models)
        app.handle("enter")
        app.handle("space")   // paused on frame 0
        var text = ""
        for _ in 0..<200 {
            text = app.render(width: 100, height: 30).text
            if text.contains("landmarks on") { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(text.contains("landmarks on"))
        let plain = app.render(width: 100, height: 30)
        app.handle("p")
        let parsed = app.render(width: 100, height: 30)
        #expect(parsed.text.contains("parsing on"))
        #expect(zip(plain.cells, parsed.cells).filter { $0.0.fg != $0.1.fg || $0.0.bg != $0.1.bg }.count > 50)

        // Once the clip is tracked, its motion curves are plotted in braille under the description.
        let p = try #require(app.player.playback)
        for _ in 0..<3000 where !p.isTracked(p.frameCount - 1) { Thread.sleep(forTimeInterval: 0.02) }
        let curves = p.motionCurves()
        #expect(curves.map(\.name) == ["brows", "eyes", "lip corners", "mouth"] && curves.allSatisfy { $0.values.count == 72 })
        // single_face.mp4: a man goes from neutral to smiling, so the lip corners end higher than they start.
        let corners = curves[2].values.filter(\.isFinite)
        #expect(corners.count > 60 && corners.suffix(10).reduce(0, +) > corners.prefix(10).reduce(0, +))
        let screen = app.render(width: 100, height: 30)
        let side = (67..<100).flatMap { x in (0..<30).map { screen[x, $0].glyph } }
        #expect(screen.text.contains("lip corners") && side.filter { $0.unicodeScalars.first!.value >= 0x2801 && $0.unicodeScalars.first!.value <= 0x28FF }.count > 20)
        // Lanes carry their value at the playhead; the apex is marked and `a` jumps to it.
        #expect(screen.text.contains("lip corners +") || screen.text.contains("lip corners -"), "\(screen.text)")
        let apex = try #require(p.apexFrame)
        #expect(apex > 20, "the smile peaks late in the clip, not at frame \(apex)")
        #expect(screen.text.contains("apex \(apex + 1) (a)") && screen.text.contains("640×360 h264"), "\(screen.text)")
        app.handle("a")
        #expect(app.player.frameIndex == apex && app.messages.last?.hasPrefix("apex: frame \(apex + 1)") == true)

        // E exports the shown frame with its overlays, the landmarks and the description.
        let scratch = Scratch()
        app.exportFolder = scratch.path("out")
        app.handle("E")
        #expect(app.messages.last?.hasPrefix("exported ") == true, "\(app.messages.last ?? "")")
        let png = scratch.path(String(format: "out/single_face-frame%05d.png", apex + 1))
        let image = try VideoReader(path: png).frame(at: 0)
        #expect(image.width == 640 && image.height == 360)
        let csv = try String(contentsOfFile: scratch.path("out/single_face-landmarks.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 73 && csv[0].hasPrefix("frame,timestamp,success,x_0") && csv[1].hasPrefix("0,0.0000,1,"))
        #expect(try String(contentsOfFile: scratch.path("out/single_face-description.txt"), encoding: .utf8).contains("lip corners"))
    }

    @Test func sortingCyclesOrders() {
        let app = App(catalog: ClipCatalog.loose([Self.media]), faceModels: nil)
        #expect(app.browser.sortOrder == .original)
        app.handle("s")
        #expect(app.browser.sortOrder == .id && app.render(width: 100, height: 30).text.contains("sorted by id"))
        var catalog = ClipCatalog(title: "t", classes: ["A", "B"], clips: [
            ClipEntry(id: "b", path: "/b", label: "B", frames: 10), ClipEntry(id: "a", path: "/a", label: "B", frames: 30),
            ClipEntry(id: "c", path: "/c", label: "A", frames: 20)])
        #expect(catalog.sorted([0, 1, 2], by: .id) == [1, 0, 2] && catalog.sorted([0, 1, 2], by: .label) == [2, 0, 1]
                && catalog.sorted([0, 1, 2], by: .frames) == [0, 2, 1])
        catalog.clips[0].description = "brows rise"
        #expect(catalog.filtered("class:b") == [0, 1] && catalog.filtered("rise") == [0])
    }

    @Test func helpListsTheLiveKeymapAndSmallTerminalsSaySo() {
        var keys = Keymap()
        _ = keys.apply("landmarks = \"L\"\n", file: "keys.toml")
        let app = App(catalog: ClipCatalog.loose([Self.media]), keymap: keys, faceModels: nil)
        app.handle("?")
        let help = app.render(width: 100, height: 40).text
        #expect(help.contains("L              toggle landmarks") && help.contains("q              quit") || help.contains("ctrl-c q       quit"))
        app.handle("esc")
        #expect(app.render(width: 100, height: 40).text.contains("? help  q quit"))
        // ? toggles the help; q on the help closes it instead of quitting.
        app.handle("?")
        #expect(app.screen == .help)
        app.handle("?")
        #expect(app.screen != .help)
        app.handle("?")
        #expect(app.handle("q") == true && app.screen != .help)
        // The status bar's hints follow the live keymap.
        var rebound = Keymap()
        _ = rebound.apply("quit = \"x\"\n", file: "keys.toml")
        let other = App(catalog: ClipCatalog.loose([Self.media]), keymap: rebound, faceModels: nil)
        let bar = other.render(width: 100, height: 40).text
        #expect(bar.contains("? help  x quit") && !bar.contains("q quit"), "\(bar.split(separator: "\n").last ?? "")")
        let small = app.render(width: 40, height: 10).text
        #expect(small.hasPrefix("terminal too small: need 60×16, have") && small.contains("40×10"))
    }

    @Test func aClipThatFailsPartWayIsMarkedAndItsGoodFramesPlay() throws {
        let scratch = Scratch()
        let folder = scratch.path("clip_0007")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 1...6 {
            let image = RGBImage(width: 32, height: 24, pixels: [UInt8](repeating: UInt8(40 * i), count: 32 * 24 * 3))
            try MediaWriter.writePNG(image, to: folder + String(format: "/%05d.png", i))
        }
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/00004.png"))
        var catalog = ClipCatalog.loose([folder])
        catalog.folderFrameRate = 10
        let app = App(catalog: catalog, faceModels: nil)
        app.handle("enter")
        #expect(app.screen == .player)
        var text = ""
        for _ in 0..<200 {
            app.tick()
            text = app.render(width: 100, height: 30).text
            if text.contains("could not be") { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(text.contains("frame 4 of 6 could not be") && text.contains("10.00 fps") && text.contains("landmarks unavailable"))
        #expect(text.filter { $0 == "▀" }.count > 100, "the frames that decoded still show")
        app.handle("esc")
        text = app.render(width: 100, height: 30).text
        #expect(text.contains("! frame 4 of 6 could not be decoded"), "a clip that plays with an undecodable frame is a warning")
        #expect(app.catalog.clips[0].error != nil && app.screen == .browser)
    }

    @Test func unreadableClipsAreMarkedAndTheAppKeepsRunning() throws {
        let scratch = Scratch()
        let fake = scratch.write("broken.mp4", "not a video")
        let app = App(catalog: ClipCatalog.loose([fake, scratch.path("missing.mp4")]), faceModels: nil)
        app.handle("enter")
        #expect(app.screen == .player)
        var text = ""
        for _ in 0..<200 where !text.contains("Cannot play this clip") {
            app.tick()
            text = app.render(width: 100, height: 30).text
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(text.contains("Cannot play this clip") && text.contains("not a readable video"), "\(text)")
        app.handle(".")   // stepping in a clip that never opened is harmless
        app.handle("esc")
        text = app.render(width: 100, height: 30).text
        #expect(app.screen == .browser && text.contains("✗"))
        #expect(app.messages.last?.contains("not a readable video") ?? false)
        #expect(text.contains("no such file or directory"))
    }
}
