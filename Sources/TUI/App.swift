import Foundation
import Workbench

/// The workbench's terminal front end: a browser of clips and a player that shows frames as
/// terminal cells with the landmarks drawn over the face. All drawing goes into a `CellBuffer`
/// (see `render`), so screens are testable without a terminal; `run` owns the terminal loop.
public final class App {
    public enum Screen: Sendable { case browser, player, help }

    public static let minimumSize = (width: 60, height: 16)

    public var catalog: ClipCatalog
    public var keymap: Keymap
    public var themes: [Theme]
    public var themeIndex = 0
    public var glyphs: FrameView.Glyphs = .halfBlocks
    public var screen: Screen = .browser
    var previousScreen: Screen = .browser
    var table = Table(columns: [])
    /// Rows the browser showed at the last render (page up/down move by this).
    var pageRows = 10
    var visible: [Int]
    var filtering = false
    public var query = ""
    var playback: ClipPlayback?
    /// The catalog index of the clip in the player.
    var playingIndex = 0
    var frameIndex = 0
    /// Fractional playback position in frames (whole frames are shown).
    var position = 0.0
    var playing = true
    var speed = 1.0
    var showLandmarks = true
    var showParsing = false
    public var sortOrder: ClipCatalog.SortOrder = .original
    var lastTick = Date()
    var fpsSamples: [Date] = []
    public var messages: [String] = []
    let faceModels: FaceModels?
    public var depthName = "?"
    var quit = false

    public init(catalog: ClipCatalog, keymap: Keymap = Keymap(), themes: [Theme] = [Theme.fallback],
                faceModels: FaceModels?) {
        self.catalog = catalog
        self.keymap = keymap
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.faceModels = faceModels
        visible = Array(catalog.clips.indices)
        refreshList()
    }

    var theme: Theme { themes[themeIndex % themes.count] }

    func refreshList() {
        visible = catalog.sorted(catalog.filtered(query), by: sortOrder)
        let idWidth = min(28, max(8, catalog.clips.map(\.id.count).max() ?? 0))
        table.columns = [Table.Column("clip", width: idWidth), Table.Column("label", width: 10),
                         Table.Column("frames", width: 6, alignRight: true), Table.Column("description")]
        table.rows = visible.map { i in
            let c = catalog.clips[i]
            return [c.id, c.label ?? "", c.frames.map(String.init) ?? "", c.error.map { "✗ \($0)" } ?? (c.description ?? "")]
        }
        table.selection.clamp(count: table.rows.count)
    }

    // MARK: Input

    /// Applies one key (a keymap name); returns false once the app should exit.
    @discardableResult
    public func handle(_ key: String) -> Bool {
        if filtering {
            switch key {
            case "enter", "esc": filtering = false
            case "backspace": if !query.isEmpty { query.removeLast(); refreshList() }
            case "space": query += " "; refreshList()
            default: if key.count == 1 { query += key; refreshList() }
            }
            return !quit
        }
        guard let action = keymap.action(for: key) else { return !quit }
        switch action {
        case .quit:
            // On the help screen q closes the help, as in most terminal tools; elsewhere it quits.
            if screen == .help { screen = previousScreen } else { quit = true }
        case .help:
            if screen != .help { previousScreen = screen; screen = .help } else { screen = previousScreen }
        case .back:
            if screen == .help { screen = previousScreen } else if screen == .player { closePlayer() } else if !query.isEmpty { query = ""; refreshList() }
        case .filter: if screen == .browser { filtering = true }
        case .up: table.move(by: -1, visibleRows: pageRows)
        case .down: table.move(by: 1, visibleRows: pageRows)
        case .pageUp: table.move(by: -pageRows, visibleRows: pageRows)
        case .pageDown: table.move(by: pageRows, visibleRows: pageRows)
        case .top: if screen == .player { seek(to: 0) } else { table.move(by: -table.rows.count, visibleRows: pageRows) }
        case .bottom: if screen == .player { seek(to: .max) } else { table.move(by: table.rows.count, visibleRows: pageRows) }
        case .open, .player: if screen == .browser { openSelected() }
        case .browser: if screen == .player { closePlayer() }
        case .playPause: playing.toggle()
        case .stepBack: playing = false; seek(to: frameIndex - 1)
        case .stepForward: playing = false; seek(to: frameIndex + 1)
        case .seekBack: seek(to: frameIndex - Int((playback?.frameRate ?? 25).rounded()))
        case .seekForward: seek(to: frameIndex + Int((playback?.frameRate ?? 25).rounded()))
        case .faster: speed = min(4, speed * 2)
        case .slower: speed = max(0.125, speed / 2)
        case .glyphs: glyphs = glyphs.next
        case .landmarks: showLandmarks.toggle()
        case .theme: themeIndex = (themeIndex + 1) % themes.count
        case .parsing: showParsing.toggle()
        case .sort: if screen == .browser { sortOrder = sortOrder.next; refreshList() }
        case .nextPane, .training:
            messages.append("\(action.summary): not available yet")
        }
        return !quit
    }

    func openSelected() {
        guard table.selection.selected < visible.count else { return }
        let i = visible[table.selection.selected]
        // Opening happens in the background too; a clip that cannot be opened shows why in the
        // player and is marked in the browser on the next tick.
        playback = ClipPlayback(entry: catalog.clips[i], faceModels: faceModels, folderFrameRate: catalog.folderFrameRate)
        playingIndex = i
        frameIndex = 0
        position = 0
        playing = true
        lastTick = Date()
        screen = .player
    }

    /// Moves the player to a frame (clamped to the clip).
    func seek(to frame: Int) {
        guard screen == .player, let p = playback else { return }
        frameIndex = max(0, min(p.frameCount - 1, frame))
        position = Double(frameIndex)
        p.playhead = frameIndex
    }

    /// A clip that failed (to open, or part-way: its good frames still play) is marked in the browser.
    func markFailure() {
        guard let e = playback?.error, catalog.clips[playingIndex].error == nil else { return }
        catalog.clips[playingIndex].error = e
        refreshList()
        messages.append("\(catalog.clips[playingIndex].id): \(e)")
    }

    func closePlayer() {
        markFailure()
        playback?.cancel()
        playback = nil
        screen = .browser
    }

    /// Advances playback by the wall-clock time since the last tick.
    public func tick(now: Date = Date()) {
        defer { lastTick = now }
        markFailure()
        guard screen == .player, let p = playback, p.frameCount > 0 else { return }
        if playing {
            position += now.timeIntervalSince(lastTick) * p.frameRate * speed
            if position >= Double(p.frameCount) { position = position.truncatingRemainder(dividingBy: Double(max(p.frameCount, 1))) }
            frameIndex = Int(position)
        }
        p.playhead = frameIndex
    }

    // MARK: Drawing

    public func render(width: Int, height: Int, unicode: Bool = true) -> CellBuffer {
        var b = CellBuffer(width: width, height: height, unicode: unicode)
        let base = Style(fg: theme["main_fg"], bg: theme["main_bg"])
        b.fill(b.bounds, style: base)
        guard width >= Self.minimumSize.width && height >= Self.minimumSize.height else {
            let msg = "terminal too small: need \(Self.minimumSize.width)×\(Self.minimumSize.height), have \(width)×\(height)"
            for (i, line) in TextBox.wrap(msg, width: max(1, width)).prefix(height).enumerated() { b.put(line, x: 0, y: i, style: base) }
            return b
        }
        switch screen {
        case .browser: drawBrowser(&b, base)
        case .player: drawPlayer(&b, base)
        case .help: drawHelp(&b, base)
        }
        let fps = fpsSamples.count > 1 ? Double(fpsSamples.count - 1) / fpsSamples.last!.timeIntervalSince(fpsSamples.first!) : 0
        let mode = screen == .player ? (playing ? "playing ×\(speed)" : "paused") : (filtering ? "filter" : "browser")
        let hints = [(Action.help, "help"), (.quit, "quit")].compactMap { a, word in keymap.shortestKey(for: a).map { "\($0) \(word)" } }
        StatusBar.render([mode, glyphs.rawValue, "\(depthName) colours", String(format: "%.0f fps", fps), theme.name, hints.joined(separator: "  ")],
                         into: &b, y: height - 1, style: Style(fg: theme["selected_fg"], bg: theme["selected_bg"]))
        return b
    }

    func drawBrowser(_ b: inout CellBuffer, _ base: Style) {
        let title = Style(fg: theme["title"], bg: theme["main_bg"], bold: true)
        b.put("finecliper · \(catalog.title) · \(visible.count) of \(catalog.clips.count) clips", x: 1, y: 0, style: title)
        let counts = catalog.classCounts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
        b.put(counts.isEmpty ? "loose clips" : counts, x: 1, y: 1, style: Style(fg: theme["inactive_fg"], bg: theme["main_bg"]))
        let filterLine = (filtering || !query.isEmpty ? "/" + query + (filtering ? "▏" : "") : "/ to filter (text or class:NAME), Enter to play")
            + "   sorted by \(sortOrder.rawValue) (s)"
        b.put(filterLine, x: 1, y: 2, style: Style(fg: theme["hi_fg"], bg: theme["main_bg"]))
        let area = Rect(x: 0, y: 3, width: b.width, height: b.height - 4)
        b.box(area, title: "Clips", style: Style(fg: theme["border"], bg: theme["main_bg"]))
        pageRows = max(1, area.height - 3)
        let failed = Style(fg: theme["error"], bg: theme["main_bg"])
        table.render(into: &b, area.inset(1), header: Style(fg: theme["title"], bg: theme["main_bg"], bold: true), normal: base,
                     highlight: Style(fg: theme["selected_fg"], bg: theme["selected_bg"], bold: true),
                     rowStyle: { [catalog, visible] in catalog.clips[visible[$0]].error == nil ? nil : failed })
        if let m = messages.last { b.put(m, x: 2, y: b.height - 2, style: Style(fg: theme["error"], bg: theme["main_bg"]), maxWidth: b.width - 4) }
    }

    func drawPlayer(_ b: inout CellBuffer, _ base: Style) {
        guard let p = playback else { return }
        let side = min(40, b.width / 3)
        let video = Rect(x: 0, y: 1, width: b.width - side - 1, height: b.height - 4)
        b.put("\(p.entry.id)" + (p.entry.label.map { " · \($0)" } ?? ""), x: 1, y: 0, style: Style(fg: theme["title"], bg: theme["main_bg"], bold: true))
        // The current frame, or the latest one before it still in memory (while decoding catches up).
        let shown = (max(0, frameIndex - 64)...frameIndex).reversed().lazy.compactMap { p.frame(at: $0) }.first
        if let f = shown {
            // Keep the aspect ratio: a cell is about twice as tall as wide.
            let cellsHigh = min(video.height, Int(Double(video.width) * Double(f.height) / Double(f.width) / 2 + 0.5))
            let cellsWide = min(video.width, Int(Double(cellsHigh) * 2 * Double(f.width) / Double(f.height) + 0.5))
            let r = Rect(x: video.x + (video.width - cellsWide) / 2, y: video.y, width: cellsWide, height: max(1, cellsHigh))
            FrameView.render(width: f.width, height: f.height, pixels: showParsing ? (f.parsingPixels ?? f.pixels) : f.pixels, into: &b, r, glyphs: glyphs,
                             points: showLandmarks ? (f.landmarks ?? []) : [], pointColor: theme["landmark"])
        } else if let e = p.error {
            TextBox.render("Cannot play this clip: \(e)", into: &b, video.inset(1), style: Style(fg: theme["error"], bg: theme["main_bg"]))
        } else {
            b.put(p.isOpen ? "decoding…" : "opening…", x: video.x + 2, y: video.y + 1, style: base)
        }
        let info = Rect(x: b.width - side, y: 1, width: side, height: b.height - 4)
        b.box(info, title: "Clip", style: Style(fg: theme["border"], bg: theme["main_bg"]))
        let landmarkState = !showLandmarks ? "off" : faceModels == nil ? "unavailable" : shown?.landmarks == nil ? "computing…" : (shown?.landmarks?.isEmpty ?? true) ? "no face" : "on"
        let lines = [p.isOpen ? "frame \(frameIndex + 1) / \(p.frameCount)" : "opening…", String(format: "%.2f fps × %.3g", p.frameRate, speed),
                     "landmarks \(landmarkState)", "parsing \(showParsing ? "on" : "off")", ""]
        for (i, l) in lines.enumerated() { b.put(l, x: info.x + 2, y: info.y + 1 + i, style: base, maxWidth: side - 4) }
        var pane = Rect(x: info.x + 2, y: info.y + 1 + lines.count, width: side - 4, height: info.height - lines.count - 2)

        if let e = p.error, shown != nil {
            let wrapped = TextBox.wrap(e, width: pane.width)
            TextBox.render(e, into: &b, pane, style: Style(fg: theme["error"], bg: theme["main_bg"]))
            pane = Rect(x: pane.x, y: pane.y + wrapped.count + 1, width: pane.width, height: pane.height - wrapped.count - 1)
        }
        let text = p.entry.description ?? p.description
            ?? (faceModels == nil ? "No description: the face models are missing (run scripts/setup)." : "Description: waiting for the face track…")
        TextBox.render(text, into: &b, pane, style: Style(fg: theme["hi_fg"], bg: theme["main_bg"]))
        // The motion curves take the rest of the pane below the description.
        let used = min(pane.height, TextBox.wrap(text, width: pane.width).count + 1)
        if faceModels != nil && pane.height - used >= 6 {
            drawMotion(p.motionCurves(), into: &b, Rect(x: pane.x, y: pane.y + used, width: pane.width, height: pane.height - used))
        }
        ProgressView.render(Double(frameIndex + 1) / Double(max(p.frameCount, 1)), label: "timeline", into: &b,
                            Rect(x: 1, y: b.height - 2, width: b.width - 2, height: 1), style: Style(fg: theme["bar_high"], bg: theme["main_bg"]))
    }

    /// The face's measures over the clip in stacked lanes (brows at the top, mouth at the bottom,
    /// as on a face), each scaled to its own range and averaged to the chart's dot columns, with
    /// the current frame marked by a highlighted column and a legend in the curves' colours below.
    func drawMotion(_ curves: [MotionCurve], into b: inout CellBuffer, _ r: Rect) {
        let colors = ["graph_loss", "graph_uar", "graph_lr", "graph_war"].map { theme[$0] }
        let plot = Rect(x: r.x, y: r.y, width: r.width, height: r.height - 1)
        let columns = plot.width * 2, lanes = Double(curves.count)
        let series = curves.enumerated().map { k, c -> LineChart.Series in
            let finite = c.values.filter(\.isFinite)
            let (lo, hi) = (finite.min() ?? 0, finite.max() ?? 1)
            let binned = (0..<columns).map { col -> Double in
                let a = col * c.values.count / columns, z = max(a + 1, (col + 1) * c.values.count / columns)
                let bin = c.values[min(a, c.values.count)..<min(z, c.values.count)].filter(\.isFinite)
                return bin.isEmpty ? .nan : bin.reduce(0, +) / Double(bin.count)
            }
            let lane = lanes - 1 - Double(k)
            return LineChart.Series(c.name, binned.map { lane + 0.1 + 0.8 * (hi > lo ? ($0 - lo) / (hi - lo) : 0.5) },
                                    color: colors[k % colors.count])
        }
        LineChart.render(series, into: &b, plot, style: Style(fg: theme["inactive_fg"], bg: theme["main_bg"]), range: 0...lanes, axis: false)
        let frames = curves.first?.values.count ?? 0
        if frames > 1 {
            let x = plot.x + Int((Double(frameIndex) / Double(frames - 1) * Double(plot.width - 1)).rounded())
            for y in plot.y..<(plot.y + plot.height) { b[x, y].bg = theme["selected_bg"] }
        }
        var x = r.x
        for (k, c) in curves.enumerated() where x < r.x + r.width {
            b.put(c.name, x: x, y: r.y + r.height - 1, style: Style(fg: colors[k % colors.count], bg: theme["main_bg"]), maxWidth: r.x + r.width - x)
            x += c.name.count + 2
        }
    }

    func drawHelp(_ b: inout CellBuffer, _ base: Style) {
        let lines = Action.allCases.map { a in "\(keymap.keys(for: a).joined(separator: " ").padding(toLength: 14, withPad: " ", startingAt: 0)) \(a.summary)" }
        let r = Rect(x: 2, y: 1, width: b.width - 4, height: b.height - 3)
        b.box(r, title: "Keys (from the live keymap) — Esc to close", style: Style(fg: theme["border"], bg: theme["main_bg"]))
        let cols = max(1, (r.width - 2) / 44)
        let rows = r.height - 2
        for (i, l) in lines.enumerated() where i / rows < cols {
            b.put(l, x: r.x + 2 + (i / rows) * 44, y: r.y + 1 + i % rows, style: base, maxWidth: 42)
        }
    }

    // MARK: Terminal loop

    /// Runs until quit. Redraws at most every frame interval; never blocks on decoding.
    public func run(terminal: Terminal) {
        depthName = terminal.depth.rawValue
        while true {
            let started = Date()
            let size = terminal.size
            tick()
            let buffer = render(width: size.width, height: size.height, unicode: terminal.unicode)
            terminal.flush(buffer)
            fpsSamples.append(Date())
            if fpsSamples.count > 30 { fpsSamples.removeFirst() }
            // Wait out the rest of one frame interval (drawing time included), so redraws keep the clip's rate.
            // Keys and resizes wake the loop at once; otherwise the browser has nothing to animate, and
            // a paused player only picks up landmarks and curves arriving from the background.
            let interval = screen == .player ? (playing ? 1000 / max(playback?.frameRate ?? 25, 1) / speed : 100) : 500
            let wait = Int32(max(1, interval - Date().timeIntervalSince(started) * 1000))
            if let key = terminal.readKey(timeoutMs: wait), key != "resize" {
                if !handle(key) { break }
            }
        }
        playback?.cancel()
    }
}
