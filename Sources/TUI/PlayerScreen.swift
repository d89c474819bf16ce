import Foundation
import Workbench
import TensorCore

/// The player: the clip as terminal frames with the landmarks drawn over the face, and beside it
/// one of three panes (Tab cycles): the model's live probabilities with the description, the
/// positive vs negative descriptor scores, or the clip's motion curves.
final class PlayerScreen: Screen {
    enum Pane: String, CaseIterable { case probabilities, scores = "PN scores", motion }

    var playback: ClipPlayback?
    /// The catalog index of the clip in the player.
    var clipIndex = 0
    var frameIndex = 0
    /// Fractional playback position in frames (whole frames are shown).
    var position = 0.0
    var playing = true
    var speed = 1.0
    var showLandmarks = true
    var landmarkGroup = LandmarkGroup.all
    var showParsing = false
    var lastTick = Date()
    var pane = Pane.probabilities
    /// The class selected in the PN pane; `Enter` shows its prompts.
    var selectedClass = 0
    var showPrompts = false
    /// Whether playback starts again at the end (else it pauses on the last frame).
    var loop = true
    /// When the shown frame last changed (the status bar's fps is frames shown per second).
    var frameChanges: [Date] = []

    func open(_ i: Int, app: App) {
        close(app: app)
        // Opening happens in the background too; a clip that cannot be opened shows why here
        // and is marked in the browser on the next tick.
        playback = ClipPlayback(entry: app.catalog.clips[i], faceModels: app.faceModels, model: app.model, folderFrameRate: app.catalog.folderFrameRate)
        clipIndex = i
        frameIndex = 0
        position = 0
        playing = true
        showPrompts = false
        lastTick = Date()
        if app.model == nil && pane != .motion { pane = .motion }
    }

    func close(app: App) {
        app.browser.markFailure(app: app)
        playback?.cancel()
        playback = nil
    }

    func pause() { playing = false }

    /// The clip in the player and why it failed, once it has; a clip that plays with a few
    /// undecodable frames is a warning.
    func failure() -> (Int, String)? {
        guard let p = playback, let e = p.error else { return nil }
        return (clipIndex, p.isPartlyDecoded ? "warning: " + e : e)
    }

    /// Whether playback stopped on an error (a clip that cannot be opened or read on), as opposed
    /// to one that plays with a few undecodable frames.
    var failed: Bool { playback.map { $0.error != nil && !$0.isPartlyDecoded } ?? false }

    var shownRate: Double {
        guard frameChanges.count > 1, let first = frameChanges.first, let last = frameChanges.last, last > first else { return 0 }
        return Double(frameChanges.count - 1) / last.timeIntervalSince(first)
    }

    /// The clip `step` rows away in the browser's list, opened in place of this one.
    func openNeighbour(_ step: Int, app: App) {
        let list = app.browser.visible
        guard let row = list.firstIndex(of: clipIndex) ?? (list.isEmpty ? nil : 0) else { return }
        let next = row + step
        guard list.indices.contains(next) else { app.messages.append(step > 0 ? "last clip in the list" : "first clip in the list"); return }
        app.browser.table.selection.selected = next
        open(list[next], app: app)
    }

    var redrawInterval: Double { playing ? 1000 / max(playback?.frameRate ?? 25, 1) / speed : 100 }

    /// Moves the player to a frame (clamped to the clip).
    func seek(to frame: Int) {
        guard let p = playback else { return }
        frameIndex = max(0, min(p.frameCount - 1, frame))
        position = Double(frameIndex)
        p.playhead = frameIndex
    }

    func handle(_ action: Action, app: App) {
        if showPrompts { if [.back, .open].contains(action) { showPrompts = false }; return }
        let rate = Int((playback?.frameRate ?? 25).rounded())
        switch action {
        case .back, .browser: close(app: app); app.show(.browser); app.browser.refresh(app: app)
        case .playPause: playing.toggle()
        case .stepBack: playing = false; seek(to: frameIndex - 1)
        case .stepForward: playing = false; seek(to: frameIndex + 1)
        case .seekBack: seek(to: frameIndex - rate)
        case .seekForward: seek(to: frameIndex + rate)
        case .top: seek(to: 0)
        case .bottom: seek(to: .max)
        case .faster: speed = min(4, speed * 2)
        case .slower: speed = max(0.125, speed / 2)
        case .landmarks: showLandmarks.toggle()
        case .landmarkGroup:
            landmarkGroup = landmarkGroup.next
            showLandmarks = true
        case .parsing: showParsing.toggle()
        case .nextPane: pane = Pane.allCases[(Pane.allCases.firstIndex(of: pane)! + 1) % Pane.allCases.count]
        case .up: if pane == .scores { selectedClass = max(0, selectedClass - 1) }
        case .down: if pane == .scores { selectedClass = min(max(0, (app.model?.classes.count ?? 1) - 1), selectedClass + 1) }
        case .open: if pane == .scores && playback?.inference?.scores != nil { showPrompts = true }
        case .nextClip: openNeighbour(1, app: app)
        case .previousClip: openNeighbour(-1, app: app)
        case .loop: loop.toggle()
        case .apex:
            if let apex = playback?.apexFrame {
                playing = false
                seek(to: apex)
                app.messages.append("apex: frame \(apex + 1), where the face differs most from the start" + (playback!.trackedCount < playback!.frameCount ? " (of the frames tracked so far)" : ""))
            } else {
                app.messages.append(app.faceModels == nil ? "no apex without the face models (run scripts/setup)" : "no apex yet: fewer than two faces tracked")
            }
        case .export: export(app: app)
        default: break
        }
    }

    /// Writes the shown frame (with the overlays on screen), the landmarks and the description to
    /// the export folder and says where (one frame decode and a PNG: a blink, done in place).
    func export(app: App) {
        guard let p = playback, p.isOpen, !failed else { app.messages.append("nothing to export: the clip is not playing"); return }
        do {
            let e = try p.export(frame: frameIndex, landmarks: showLandmarks, parsing: showParsing, to: app.exportFolder)
            app.messages.append("exported \(e.image), \(PathText.lastComponent(e.landmarks))" + (e.description.map { ", \(PathText.lastComponent($0))" } ?? ""))
        } catch {
            app.messages.append("export failed: \(error)")
        }
    }

    /// Advances playback by the wall-clock time since the last tick.
    func tick(app: App, now: Date) {
        defer { lastTick = now }
        guard app.screen == .player, let p = playback, p.frameCount > 0 else { return }
        let before = frameIndex
        if playing {
            position += now.timeIntervalSince(lastTick) * p.frameRate * speed
            if position >= Double(p.frameCount) {
                if loop { position = position.truncatingRemainder(dividingBy: Double(max(p.frameCount, 1))) }
                else { position = Double(p.frameCount - 1); playing = false }
            }
            frameIndex = Int(position)
        }
        p.playhead = frameIndex
        if frameIndex != before {
            frameChanges.append(now)
            if frameChanges.count > 30 { frameChanges.removeFirst() }
        }
    }

    func mode(app: App) -> String { failed ? "failed" : playing ? "playing ×\(speed)" + (loop ? "" : ", no loop") : "paused" }

    // MARK: Drawing

    func render(into b: inout CellBuffer, app: App) {
        guard let p = playback else { return }
        let side = app.model != nil ? max(44, min(72, b.width * 9 / 20)) : min(40, b.width / 3)
        let video = Rect(x: 0, y: 1, width: b.width - side - 1, height: b.height - 4)
        let entry = p.entry
        let tracked = p.trackedCount
        let tracking = app.faceModels != nil && tracked < p.frameCount ? " · tracking \(tracked)/\(p.frameCount)" : ""
        let counter = failed ? "failed" : !p.isOpen ? "opening…"
            : "frame \(frameIndex + 1) / \(p.frameCount) · \(Self.clock(Double(frameIndex) / p.frameRate)) / \(Self.clock(Double(p.frameCount) / p.frameRate)) · "
              + String(format: "%.2f fps × %.3g", p.frameRate, speed) + (p.format.map { " · \($0)" } ?? "") + tracking
        b.put(entry.id + (entry.label.map { " · \($0)" } ?? "") + "   " + counter, x: 1, y: 0, style: app.style("title", bold: true))
        // The current frame, or the latest one before it still in memory (while decoding catches up).
        let shown = (max(0, frameIndex - 64)...frameIndex).reversed().lazy.compactMap { p.frame(at: $0) }.first
        if let f = shown {
            // Keep the aspect ratio: a cell is about twice as tall as wide.
            let cellsHigh = min(video.height, Int(Double(video.width) * Double(f.height) / Double(f.width) / 2 + 0.5))
            let cellsWide = min(video.width, Int(Double(cellsHigh) * 2 * Double(f.width) / Double(f.height) + 0.5))
            let r = Rect(x: video.x + (video.width - cellsWide) / 2, y: video.y, width: cellsWide, height: max(1, cellsHigh))
            FrameView.render(width: f.width, height: f.height, pixels: showParsing ? (f.parsingPixels ?? f.pixels) : f.pixels, into: &b, r, glyphs: app.glyphs,
                             points: showLandmarks ? landmarkGroup.pick(f.landmarks ?? []) : [], pointColor: app.theme["landmark"],
                             overlays: showLandmarks ? [(landmarkGroup.pick(f.truthLandmarks ?? []), app.theme["landmark_truth"])] : [],
                             dither256: app.depthName == ColorDepth.palette256.rawValue)
        } else if let e = p.error {
            TextBox.render("Cannot play this clip: \(e)", into: &b, video.inset(1), style: app.style("error"))
        } else {
            b.put(p.isOpen ? "decoding…" : "opening…", x: video.x + 2, y: video.y + 1, style: app.base)
        }
        let info = Rect(x: b.width - side, y: 1, width: side, height: b.height - 4)
        let tabs = Pane.allCases.map { $0 == pane ? "[\($0.rawValue)]" : $0.rawValue }.joined(separator: " ")
        b.box(info, title: tabs + " · Tab", style: app.style("border"))
        var inner = Rect(x: info.x + 2, y: info.y + 1, width: side - 4, height: info.height - 2)
        if let e = p.error, shown != nil {
            let lines = TextBox.wrap(e, width: inner.width).count
            TextBox.render(e, into: &b, inner, style: app.style("error"))
            inner = Rect(x: inner.x, y: inner.y + lines + 1, width: inner.width, height: inner.height - lines - 1)
        }
        switch pane {
        case .probabilities: drawProbabilities(into: &b, inner, app: app)
        case .scores: drawScores(into: &b, inner, app: app)
        case .motion: drawClipInfo(into: &b, inner, shown: shown, app: app)
        }
        if !failed {
            ProgressView.render(Double(frameIndex + 1) / Double(max(p.frameCount, 1)), label: "timeline", into: &b,
                                Rect(x: 1, y: b.height - 2, width: b.width - 2, height: 1), style: app.style("bar_high"))
        }
        if showPrompts, let s = p.inference?.scores, selectedClass < s.classes.count {
            Modal.render(title: "Prompts of \(s.classes[selectedClass]) (Esc closes)",
                         text: "positive: \(s.positivePrompts[selectedClass])\n\nnegative: \(s.negativePrompts[selectedClass])",
                         into: &b, width: 70, style: app.selectedStyle)
        }
    }

    /// m:ss.s
    static func clock(_ seconds: Double) -> String {
        let s = max(0, seconds)
        return String(format: "%d:%04.1f", Int(s) / 60, s.truncatingRemainder(dividingBy: 60))
    }
}
