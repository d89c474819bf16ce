/// Every key of the live keymap with what it does, the current screen's keys first.
enum HelpScreen {
    /// The keys each screen acts on (global keys aside); others say they do nothing there.
    static func actions(for screen: App.ScreenID) -> [Action] {
        switch screen {
        case .browser, .help: return [.filter, .sort, .reverse, .open, .up, .down, .pageUp, .pageDown, .top, .bottom, .back, .evaluate]
        case .player: return [.playPause, .stepBack, .stepForward, .seekBack, .seekForward, .top, .bottom, .faster, .slower,
                              .landmarks, .landmarkGroup, .parsing, .nextPane, .up, .down, .open, .apex, .export, .nextClip, .previousClip, .loop, .back]
        case .confusion: return [.up, .down, .seekBack, .seekForward, .stepBack, .stepForward, .top, .bottom, .open, .back]
        case .training: return [.newRun, .openRun, .stopRun, .up, .down, .open, .back]
        }
    }

    static func render(into b: inout CellBuffer, app: App) {
        let first = actions(for: app.previousScreen)
        let rest = Action.allCases.filter { !first.contains($0) }
        func line(_ a: Action) -> String { "\(app.keymap.keys(for: a).joined(separator: " ").padding(toLength: 14, withPad: " ", startingAt: 0)) \(a.summary)" }
        let settings = app.settingsFiles.isEmpty ? [] : ["", "— settings —"] + app.settingsFiles
        let lines = ["— this screen —"] + first.map(line) + ["", "— everywhere —"] + rest.map(line) + settings
        let r = Rect(x: 2, y: 1, width: b.width - 4, height: b.height - 3)
        let cols = max(1, (r.width - 2) / 46)
        let rows = r.height - 2
        // Columns side by side when they fit; otherwise the list scrolls (j/k, PgUp/PgDn).
        let capacity = cols * rows
        let offset = lines.count > capacity ? min(app.helpOffset, lines.count - capacity) : 0
        app.helpOffset = offset
        let shown = Array(lines.dropFirst(offset).prefix(capacity))
        let position = lines.count > capacity ? " · \(offset + 1)–\(offset + shown.count) of \(lines.count), j/k scroll" : ""
        b.box(r, title: (position.isEmpty ? "Keys (from the live keymap) — Esc to close" : "Keys — Esc closes") + position, style: app.style("border"))
        for (i, l) in shown.enumerated() {
            let width = cols == 1 ? r.width - 4 : 44
            b.put(l, x: r.x + 2 + (i / rows) * 46, y: r.y + 1 + i % rows, style: l.hasPrefix("—") ? app.style("title", bold: true) : app.base, maxWidth: width)
        }
    }
}
