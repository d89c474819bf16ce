import Foundation
import Testing
import TestSupport

/// The real binary in tmux, driven by keys and read back from the screen as a person would see it.
@Suite(.serialized) struct TmuxTests {
    let socket = "finecliper-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    /// Runs tmux through the shell with `system`, which waits for exactly its child; Foundation's
    /// Process did not notice the exit of a tmux client whose server daemonised.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let out = NSTemporaryDirectory() + "tmux-out-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        let quoted = (["tmux", "-L", socket] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        _ = system("timeout 20 " + quoted + " > '\(out)' 2>&1 < /dev/null")
        return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    }

    func screen(colors: Bool = false) throws -> String { try tmux(["capture-pane", "-t", "app", "-p"] + (colors ? ["-e"] : [])) }

    func keys(_ k: String...) throws { try tmux(["send-keys", "-t", "app"] + k) }

    /// Waits up to `seconds` for the screen to satisfy `condition`.
    func waitFor(_ seconds: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let end = Date().addingTimeInterval(seconds)
        var s = try screen()
        while !condition(s) && Date() < end {
            Thread.sleep(forTimeInterval: 0.1)
            s = try screen()
        }
        return s
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Starts the binary in a detached 120×40 session with its own config folder.
    func start(_ arguments: String = "", term: String = "xterm-256color", lang: String = "C.UTF-8", config: String, env: String = "") throws {
        let command = "cd \(Self.root) && env TERM=\(term) LANG=\(lang) LC_ALL=\(lang) XDG_CONFIG_HOME=\(config) \(env) \(FinecliperBinary.path) \(arguments); sleep 30"
        try tmux(["-u", "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command])
    }

    @Test func browsePlayResizeHelpAndQuit() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start(config: config)

        // `finecliper` alone opens the samples: 21 synthetic clips, 3 per class, with descriptions.
        var s = try waitFor { $0.contains("synth_00001") }
        #expect(s.contains("synth all · 21 of 21 clips") && s.contains("Happy 3") && s.contains("Fear 3"), "\(s)")
        #expect(s.contains("the lip corners pull up"), "description excerpts in the list:\n\(s)")
        #expect(FileManager.default.fileExists(atPath: config + "/finecliper/config.toml"))
        #expect(s.contains("│ dark │"), "the configured theme from themes/:\n\(s)")

        try keys("/", "c", "l", "a", "s", "s", ":", "s", "u", "r", "Enter")
        s = try waitFor { $0.contains("3 of 21 clips") }
        #expect(s.contains("3 of 21 clips") && !s.contains("Happy   "), "\(s)")
        try keys("Enter")
        s = try waitFor { $0.filter { $0 == "▀" }.count > 500 }
        #expect(s.filter { $0 == "▀" }.count > 500 && s.contains("Surprise"), "no frame drawn:\n\(s)")
        let first = try screen(colors: true)
        let end = Date().addingTimeInterval(10)
        var later = first
        while later == first && Date() < end { Thread.sleep(forTimeInterval: 0.2); later = try screen(colors: true) }
        #expect(first != later, "the frame does not change while playing")
        try keys("Tab", "Tab")   // probabilities → PN scores → motion
        s = try waitFor { $0.contains("landmarks on") }
        #expect(s.contains("landmarks on") && s.contains("ground truth"), "generated clips show their ground truth:\n\(s)")
        try keys("L", "L")   // all → jaw → brows
        s = try waitFor { $0.contains("landmarks on (brows)") }
        #expect(s.contains("landmarks on (brows)"))
        try keys("l")
        s = try waitFor { $0.contains("landmarks off") }
        #expect(s.contains("landmarks off"))

        try tmux(["resize-window", "-t", "app", "-x", "90", "-y", "30"])
        s = try waitFor { $0.contains("frame ") && $0.contains("timeline") && $0.split(separator: "\n").count <= 30 }
        #expect(s.contains("timeline"), "\(s)")
        try tmux(["resize-window", "-t", "app", "-x", "40", "-y", "10"])
        s = try waitFor { $0.contains("terminal too small") }
        #expect(s.contains("terminal too small"))
        try tmux(["resize-window", "-t", "app", "-x", "120", "-y", "40"])
        s = try waitFor { $0.contains("timeline") }
        #expect(s.contains("timeline"))

        // Esc acts at once, not after ncurses' default one-second escape delay: closing the help
        // with Esc takes about as long as closing it with ? (toggle), not a second more. Compared
        // in the same try, and the best of three, so that a loaded machine slows both alike.
        func closeTime(_ key: String) throws -> Double {
            try keys("?")
            _ = try waitFor { $0.contains("Keys (from the live keymap)") }
            let start = Date()
            try keys(key)
            _ = try waitFor { !$0.contains("Keys (from the live keymap)") }
            return Date().timeIntervalSince(start)
        }
        var excess = Double.infinity
        for _ in 0..<3 where excess >= 0.6 {
            let control = try closeTime("?"), escape = try closeTime("Escape")
            excess = min(excess, escape - control)
        }
        #expect(excess < 0.6, "Esc took \(excess) s longer than ? at best")
        try keys("Escape")
        s = try waitFor { $0.contains("Clips") }
        try keys("q")
        s = try waitFor { !$0.contains("Clips") }
        #expect(!s.contains("Clips"), "still running after q:\n\(s)")
    }

    @Test func directColourFramesReachTheScreen() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start("tui assets/media/single_face.mp4 --colors direct", term: "xterm-direct", config: config)
        // The background scan fills the loose clip's columns: duration, size, resolution and codec.
        let listed = try waitFor { $0.contains("single_face") && $0.contains("h264") }
        #expect(listed.contains("0:02") && listed.contains("h264") && listed.contains("kB"), "\(listed)")
        try keys("Enter", "Tab", "Tab")   // the motion pane says whether landmarks are on
        let s = try waitFor { $0.filter { $0 == "▀" }.count > 500 && $0.contains("landmarks on") }
        #expect(s.contains("direct colours") && s.contains("landmarks on"), "\(s)")
        // Every cell's colours arrive as 24-bit values (SGR 38;2 / 48;2), hundreds of distinct ones.
        let coloured = try screen(colors: true)
        let rgb = Set(coloured.components(separatedBy: "\u{1B}[").filter { $0.contains("38;2;") || $0.contains("48;2;") })
        #expect(rgb.count > 300, "\(rgb.count) distinct 24-bit colour sequences")
        try keys("q")
    }

    @Test func withoutAUTF8LocaleEverythingIsASCII() throws {
        let config = NSTemporaryDirectory() + "finecliper-xdg-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: config); _ = try? tmux(["kill-server"]) }
        try start(lang: "C", config: config)
        _ = try waitFor { $0.contains("synth_00001") }
        try keys("Enter")
        let s = try waitFor { $0.contains("frame ") && $0.contains("timeline") }
        #expect(s.contains("+- [probabilities] PN scores motion . Tab") && s.contains("|") && s.contains("frame "), "\(s)")
        #expect(!s.unicodeScalars.contains { $0.value > 127 }, "non-ASCII on a C locale:\n\(s)")
        try keys("q")
    }
}
