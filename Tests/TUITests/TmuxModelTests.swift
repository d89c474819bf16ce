import Foundation
import Testing
import TestSupport

/// The model's screens through the real binary in tmux: live probabilities while a clip plays,
/// the PN pane, an evaluation hunted for wrong clips down to the player, and a training run
/// launched from the workbench that outlives it.
extension TmuxTests {
    /// The lines of the player's side pane (the right 60 columns), where the scores are drawn.
    func pane(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.suffix(60)) }.joined(separator: "\n") }

    @Test func liveProbabilitiesChangeWhileAClipPlaysAndThePNPaneOpens() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start(config: config)
        _ = try waitFor { $0.contains("synth_00014") }
        try keys("/", "0", "0", "0", "1", "4", "Enter", "Enter")
        var s = try waitFor { $0.contains("all 32 frames scored") }
        #expect(s.contains("clip (16 frames sampled)") && s.contains("▸") && s.contains("window of 4 frames"), "\(s)")
        // The per-frame bars follow the playhead (the scores change along the clip, as the timeline shows).
        let first = pane(s)
        var later = first
        let end = Date().addingTimeInterval(10)
        while later == first && Date() < end { Thread.sleep(forTimeInterval: 0.2); later = pane(try screen()) }
        #expect(first != later, "the frame's probabilities do not change while playing:\n\(first)")
        #expect(s.contains("top class over the clip"))
        try keys("Tab")
        // Until the whole pane is drawn (a capture can land between its header and its rows).
        s = try waitFor { $0.contains("cos(video, positive)") && $0.contains("stream     weight") }
        #expect(s.contains("[PN scores]") && s.contains("margin") && s.contains("stream     weight"), "\(s)")
        try keys("Enter")
        s = try waitFor { $0.contains("Prompts of") }
        #expect(s.contains("positive: A person with an expression of"), "\(s)")
        try keys("Escape", "Escape")
        _ = try waitFor { $0.contains("Clips") }
        try keys("q")
    }

    @Test func evaluateFilterWrongAndPlayAClipFromTheConfusionMatrix() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start(config: config)
        _ = try waitFor { $0.contains("synth_00001") }
        try keys("e")
        var s = try waitFor(300) { $0.contains("evaluation: UAR") }
        // The shipped model's verdicts on the samples (ModelScreensTests derives them in process).
        #expect(s.contains("UAR 100.00  WAR 100.00  on 21 clips · 0 wrong"), "\(s)")
        try keys("/", "w", "r", "o", "n", "g", "Enter")
        s = try waitFor { $0.contains("/wrong") && $0.contains("· 0 of 21 clips") }
        #expect(!s.contains("synth_000"), "\(s)")
        try keys("4")
        s = try waitFor { $0.contains("true\\pred") }
        #expect(s.contains("recall"), "\(s)")
        try keys("j", "j", "j", "j", "j", "j", "Right", "Right", "Right", "Right", "Right", "Right", "Enter")   // fear predicted fear
        s = try waitFor { $0.contains("/true:fear pred:fear") }
        let fear = ["synth_00007", "synth_00014", "synth_00021"]
        #expect(s.contains("· 3 of 21 clips") && fear.allSatisfy(s.contains) && !s.contains("synth_00013"), "\(s)")
        try keys("Enter")
        s = try waitFor { s in fear.contains { s.contains("\($0) · Fear") } && s.contains("scored") }
        #expect(s.contains("▀"), "\(s)")
        try keys("q")
    }

    @Test func aRunLaunchedFromTheWorkbenchAdvancesFinishesAndOutlivesIt() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        let scratch = NSTemporaryDirectory() + "finecliper-runs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); try? FileManager.default.removeItem(atPath: scratch); _ = try? tmux(["kill-server"]) }
        let env = "XDG_CACHE_HOME=\(scratch)/cache"
        try start("tui --runs \(scratch)/runs", config: config, env: env)
        _ = try waitFor { $0.contains("synth_00001") }
        try keys("3", "n")
        var s = try waitFor { $0.contains("Launch a training run") }
        // epochs: 30, batch: 2 (about 90 steps, a few seconds), landmarks as given, run folder: a fixed name.
        try keys("Down", "Down", "Down", "Down", "Down", "BSpace", "BSpace", "3", "0", "Down", "BSpace", "BSpace", "2", "Down", "Down", "C-u")
        try keys("-l", "\(scratch)/runs/short")
        try keys("Enter")
        s = try waitFor { $0.contains("Start training") }
        #expect(s.contains("--epochs 30 --batch 2"), "\(s)")
        try keys("y")
        s = try waitFor { $0.contains("run short · running") && $0.contains("step ") }
        let epochs = try waitFor { s in (try? NSRegularExpression(pattern: "epoch ([3-9]|[1-2][0-9])/30")).map { $0.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil } ?? false }
        #expect(epochs.contains("training loss") && epochs.contains("⣀") || epochs.contains("⠉"), "\(epochs)")
        s = try waitFor(120) { $0.contains("run short · finished") }
        #expect(s.contains("epoch 30/30") && s.contains("100%") && s.contains("best checkpoint"), "\(s)")

        // A second, longer run; the workbench is killed while it trains and the run goes on.
        try keys("Escape", "n")
        _ = try waitFor { $0.contains("Launch a training run") }
        try keys("Down", "Down", "Down", "Down", "Down", "BSpace", "BSpace", "8", "0", "Down", "BSpace", "BSpace", "2", "Down", "Down", "C-u")
        try keys("-l", "\(scratch)/runs/long")
        try keys("Enter")
        _ = try waitFor { $0.contains("Start training") }
        try keys("y")
        _ = try waitFor { $0.contains("run long · running") && $0.contains("step ") }
        try tmux(["kill-server"])
        let log = "\(scratch)/runs/long/events.jsonl"
        let size = { ((try? FileManager.default.attributesOfItem(atPath: log))?[.size] as? Int) ?? 0 }
        let before = size()
        let end = Date().addingTimeInterval(120)
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains("\"kind\":\"done\"") ?? false) && Date() < end { Thread.sleep(forTimeInterval: 0.2) }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(size() > before && text.contains("\"status\":\"finished\""), "the run stopped with the workbench")

        // Reopened in a new workbench, from the command line and from the runs list.
        try start("tui --runs \(scratch)/runs --run \(scratch)/runs/long", config: config, env: env)
        s = try waitFor { $0.contains("run long · finished") }
        #expect(s.contains("epoch 80/80"), "\(s)")
        try keys("Escape")
        s = try waitFor { $0.contains("Runs in") }
        #expect(s.contains("long") && s.contains("short"), "\(s)")
        try keys("q")
    }

    @Test func aFatalSignalGivesTheTerminalBackFirst() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start("tui --no-model", config: config)
        let before = try waitFor { $0.contains("synth_00001") }
        try #require(before.contains("synth_00001") && before.contains("? help  q quit"), "\(before)")
        try keys("C-\\")   // SIGQUIT
        let s = try waitFor(10) { !$0.contains("synth_00001") }
        // curses has ended: the normal screen is back instead of a frozen workbench.
        #expect(!s.contains("synth_00001") && !s.contains("? help  q quit"), "\(s)")
    }
}
