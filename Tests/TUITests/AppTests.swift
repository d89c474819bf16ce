import Foundation
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
        let before = app.frameIndex
        app.tick(now: t0.addingTimeInterval(1))
        #expect(app.frameIndex - before == 30, "one second at 30 fps")
        screen = app.render(width: 100, height: 30)
        #expect(screen.text.filter { $0 == "▀" }.count > 500)
        #expect(screen.text.contains("frame \(app.frameIndex + 1) / 72"))
        let paused = app.frameIndex
        app.handle("space"); app.handle("."); app.handle(".")
        #expect(app.frameIndex == paused + 2)
        app.handle("g")
        #expect(app.glyphs == .ascii)
        app.handle("esc")
        #expect(app.screen == .browser)
        #expect(app.handle("q") == false)
    }

    @Test func helpListsTheLiveKeymapAndSmallTerminalsSaySo() {
        var keys = Keymap()
        _ = keys.apply("landmarks = \"L\"\n", file: "keys.toml")
        let app = App(catalog: ClipCatalog.loose([Self.media]), keymap: keys, faceModels: nil)
        app.handle("?")
        let help = app.render(width: 100, height: 40).text
        #expect(help.contains("L              toggle landmarks") && help.contains("q              quit") || help.contains("ctrl-c q       quit"))
        app.handle("esc")
        let small = app.render(width: 40, height: 10).text
        #expect(small.hasPrefix("terminal too small: need 60×16, have") && small.contains("40×10"))
    }

    @Test func unreadableClipsAreMarkedAndTheAppKeepsRunning() throws {
        let scratch = Scratch()
        let fake = scratch.write("broken.mp4", "not a video")
        let app = App(catalog: ClipCatalog.loose([fake, scratch.path("missing.mp4")]), faceModels: nil)
        app.handle("enter")
        #expect(app.screen == .browser)
        let text = app.render(width: 100, height: 30).text
        #expect(text.contains("✗"))
        #expect(app.messages.last?.contains("not a readable video") ?? false)
        #expect(text.contains("no such file or directory"))
    }
}
