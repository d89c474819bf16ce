import Foundation
import Workbench
import TensorCore

/// The player's side panes: live probabilities and the inference line, the description, the
/// positive/negative scores, the clip's facts and the motion curves.
extension PlayerScreen {
    /// What the model is doing with this clip, for the top of the model panes; nil when scores are there.
    func inferenceLine(app: App) -> String {
        if failed { return "The clip could not be played: nothing to score." }
        guard let model = app.model else { return "No model loaded: start with --model CHECKPOINT, or keep samples/model in place." }
        guard app.faceModels != nil else { return "The model needs the face models (run scripts/setup)." }
        guard let live = playback?.inference else { return "" }
        let total = playback?.frameCount ?? 0
        let scored = live.scores?.framesScored ?? 0
        switch live.status {
        case .waiting: return "\(model.name): waiting for a face…"
        case .scoring: return "\(model.name): frames 1–\(scored) of \(total) scored, more coming"
        case .done: return "\(model.name): all \(total) frames scored"
        case let .failed(why): return "\(model.name): \(why)"
        }
    }

    func drawProbabilities(into b: inout CellBuffer, _ r: Rect, app: App) {
        var y = r.y
        let line = inferenceLine(app: app)
        b.put(line, x: r.x, y: y, style: app.style("inactive_fg"), maxWidth: r.width); y += 2
        guard let p = playback, let s = p.inference?.scores else {
            drawDescription(into: &b, Rect(x: r.x, y: y, width: r.width, height: r.y + r.height - y), scores: nil, app: app)
            return
        }
        let truth = app.model?.truth(of: p.entry, datasetClasses: app.catalog.classes)
        let truthStyle = Style(fg: app.theme["truth"], bg: app.theme["main_bg"], bold: true)
        let bar = app.style("bar_high"), marker = app.style("warning")
        b.put("clip (\(s.sampledFrames.count) frames sampled)" + (truth == nil ? "" : "  truth in colour"), x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
        let n = s.classes.count, labelWidth = min(14, (s.classes.map(\.count).max() ?? 8) + 2)
        ProbabilityBars.render(s.classes.indices.map { ProbabilityBars.Row(s.classes[$0], Double(s.probabilities[$0])) }, into: &b,
                               Rect(x: r.x, y: y, width: r.width, height: min(n, r.y + r.height - y)), style: app.base, bar: bar,
                               truth: truth, truthStyle: truthStyle, marker: marker, labelWidth: labelWidth)
        y += n + 1
        if let k = s.sample(at: frameIndex), k < s.windowProbabilities.count, y + n + 1 < r.y + r.height {
            let f = s.sampledFrames[k]
            b.put("frame \(f + 1): window of 4 frames, ┃ this frame alone", x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
            let raw = k < s.frameProbabilities.count ? s.frameProbabilities[k] : []
            ProbabilityBars.render(s.classes.indices.map { ProbabilityBars.Row(s.classes[$0], Double(s.windowProbabilities[k][$0]), raw: $0 < raw.count ? Double(raw[$0]) : nil) },
                                   into: &b, Rect(x: r.x, y: y, width: r.width, height: n), style: app.base, bar: bar, truth: truth, truthStyle: truthStyle, marker: marker, labelWidth: labelWidth)
            y += n + 1
        }
        if y + 2 < r.y + r.height {
            let title = p.hasReference ? "top class over the clip: model, real-face reference" : "top class over the clip"
            b.put(title, x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
            // One entry per cell (not per frame: a long clip has far more frames than the row has cells).
            let total = max(1, p.frameCount, s.framesScored), cells = min(total, max(1, r.width))
            let top: [Int?] = (0..<cells).map { c in
                let f = c * total / cells
                guard f < s.framesScored, let k = s.sample(at: f), k < s.windowProbabilities.count else { return nil }
                let row = s.windowProbabilities[k]
                return row.indices.max { row[$0] < row[$1] }
            }
            ClassTimeline.render(top, classes: s.classes, colors: app.classColors, playhead: frameIndex * cells / total, into: &b,
                                 Rect(x: r.x, y: y, width: r.width, height: 1), style: app.style("inactive_fg"))
            y += 1
            if p.hasReference && y < r.y + r.height {
                let opinion: [Int?] = (0..<cells).map { c in
                    guard let q = p.referenceProbabilities(at: c * total / cells, classes: s.classes) else { return nil }
                    return q.indices.filter { q[$0] != nil }.max { q[$0]! < q[$1]! }
                }
                ClassTimeline.render(opinion, classes: s.classes, colors: app.classColors, playhead: frameIndex * cells / total, into: &b,
                                     Rect(x: r.x, y: y, width: r.width, height: 1), style: app.style("inactive_fg"))
                y += 1
            }
            y += 1
        }
        // The second opinion: fer's classifier, trained on real faces, on this frame alone.
        if let q = p.referenceProbabilities(at: frameIndex, classes: s.classes), y + 2 < r.y + r.height {
            let ranked = s.classes.indices.filter { q[$0] != nil }.sorted { q[$0]! > q[$1]! }.prefix(2)
            b.put("fer on frame \(frameIndex + 1): " + ranked.map { String(format: "%@ %.0f%%", s.classes[$0], 100 * q[$0]!) }.joined(separator: " · "),
                  x: r.x, y: y, style: app.base, maxWidth: r.width)
            y += 2
        }
        drawDescription(into: &b, Rect(x: r.x, y: y, width: r.width, height: r.y + r.height - y), scores: s, app: app)
    }

    /// The clip's fine-grained description with where it comes from, then the phrases the model's
    /// CLIP finds in the clip.
    func drawDescription(into b: inout CellBuffer, _ r: Rect, scores: ClipScores?, app: App) {
        guard r.height > 1, let p = playback else { return }
        let (source, text): (String, String?) = p.entry.description.map { ("descriptions file", $0) }
            ?? scores.map { ("motion describer, tracked landmarks", $0.description) } ?? ("motion describer", p.description)
        b.put("description (\(source))", x: r.x, y: r.y, style: app.style("title", bold: true), maxWidth: r.width)
        let body = text ?? (app.faceModels == nil ? "none: the face models are missing (run scripts/setup)" : "waiting for the face track…")
        let lines = TextBox.wrap(body, width: r.width)
        TextBox.render(body, into: &b, Rect(x: r.x, y: r.y + 1, width: r.width, height: min(lines.count, r.height - 1)), style: app.style("hi_fg"))
        var y = r.y + 2 + lines.count
        if let model = scores?.description, p.entry.description != nil, y + 2 < r.y + r.height {
            // The model reads the describer's account of the tracked face, not the file's.
            b.put("the model read (motion describer)", x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width)
            let own = TextBox.wrap(model, width: r.width)
            TextBox.render(model, into: &b, Rect(x: r.x, y: y + 1, width: r.width, height: min(own.count, r.y + r.height - y - 1)), style: app.style("hi_fg"))
            y += own.count + 2
        }
        guard let phrases = scores?.phrases, !phrases.isEmpty, y < r.y + r.height else { return }
        b.put("the model's CLIP sees", x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
        for ph in phrases where y < r.y + r.height {
            b.put(String(format: "%.3f  ", ph.score) + ph.text, x: r.x, y: y, style: app.base, maxWidth: r.width); y += 1
        }
    }

    func drawScores(into b: inout CellBuffer, _ r: Rect, app: App) {
        var y = r.y
        guard let p = playback, let s = p.inference?.scores else {
            b.put(inferenceLine(app: app), x: r.x, y: y, style: app.style("inactive_fg"), maxWidth: r.width)
            return
        }
        let truth = app.model?.truth(of: p.entry, datasetClasses: app.catalog.classes)
        b.put("cos(video, positive) vs cos(video, negative)", x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
        selectedClass = min(selectedClass, s.classes.count - 1)
        PairedBars.render(s.classes.indices.map { PairedBars.Row(s.classes[$0], positive: Double(s.positiveCosine[$0]), negative: Double(s.negativeCosine[$0])) },
                          into: &b, Rect(x: r.x, y: y, width: r.width, height: s.classes.count + 1), style: app.base,
                          positive: app.style("positive"), negative: app.style("negative"), selected: selectedClass, selectedStyle: app.selectedStyle,
                          truth: truth, truthStyle: app.style("truth", bold: true), labelWidth: min(14, (s.classes.map(\.count).max() ?? 8) + 2))
        y += s.classes.count + 1
        b.put("▸ largest margin wins · j/k select · Enter: prompts", x: r.x, y: y, style: app.style("inactive_fg"), maxWidth: r.width); y += 2
        guard y + 2 < r.y + r.height else { return }
        let best = s.prediction
        b.put("stream     weight  margin(\(s.classes[best].prefix(8)))" + (truth.map { "  margin(\(s.classes[$0].prefix(8)))" } ?? ""),
              x: r.x, y: y, style: app.style("title", bold: true), maxWidth: r.width); y += 1
        let weights = Dictionary(uniqueKeysWithValues: s.fusionWeights.map { ($0.name, $0.weight) })
        for m in s.modalityMargins where y < r.y + r.height {
            let w = weights[m.name].map { String(format: "%6.3f", $0) } ?? "     -"
            let line = m.name.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + w + String(format: "  %+8.3f", m.margins[best])
                + (truth.map { String(format: "      %+8.3f", m.margins[$0]) } ?? "")
            b.put(line, x: r.x, y: y, style: app.base, maxWidth: r.width); y += 1
        }
    }

    /// The clip's own facts: landmark and parsing state, the description and the face's motion curves.
    func drawClipInfo(into b: inout CellBuffer, _ r: Rect, shown: DisplayFrame?, app: App) {
        guard let p = playback else { return }
        let landmarkState = failed ? "none (the clip failed)" : !showLandmarks ? "off" : app.faceModels == nil ? "unavailable" : shown?.landmarks == nil ? "computing…" : (shown?.landmarks?.isEmpty ?? true) ? "no face" : "on"
        let group = showLandmarks && landmarkGroup != .all ? " (\(landmarkGroup.rawValue))" : ""
        let truthLine = p.hasTruthLandmarks && showLandmarks ? ["+ ground truth in a second colour"] : []
        let lines = ["landmarks \(landmarkState)\(group)"] + truthLine + ["parsing \(showParsing ? "on" : "off")", ""]
        for (i, l) in lines.enumerated() { b.put(l, x: r.x, y: r.y + i, style: app.base, maxWidth: r.width) }
        let pane = Rect(x: r.x, y: r.y + lines.count, width: r.width, height: r.height - lines.count)
        let text = p.entry.description ?? p.description
            ?? (app.faceModels == nil ? "No description: the face models are missing (run scripts/setup)." : "Description: waiting for the face track…")
        TextBox.render(text, into: &b, pane, style: app.style("hi_fg"))
        // The motion curves take the rest of the pane below the description.
        let used = min(pane.height, TextBox.wrap(text, width: pane.width).count + 1)
        if app.faceModels != nil && pane.height - used >= 6 {
            drawMotion(p.motionCurves(), into: &b, Rect(x: pane.x, y: pane.y + used, width: pane.width, height: pane.height - used), app: app)
        }
    }

    /// The face's measures over the clip in stacked lanes (brows at the top, mouth at the bottom,
    /// as on a face), each scaled to its own range and averaged to the chart's dot columns, with
    /// the current frame marked by a highlighted column and a legend in the curves' colours below.
    func drawMotion(_ curves: [MotionCurve], into b: inout CellBuffer, _ r: Rect, app: App) {
        let theme = app.theme
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
        LineChart.render(series, into: &b, plot, style: app.style("inactive_fg"), range: 0...lanes, axis: false)
        let frames = curves.first?.values.count ?? 0
        func column(_ f: Int) -> Int { plot.x + Int((Double(f) / Double(max(frames - 1, 1)) * Double(plot.width - 1)).rounded()) }
        let apex = playback?.apexFrame
        if frames > 1 {
            if let apex { for y in plot.y..<(plot.y + plot.height) { b[column(apex), y].bg = theme["bar_low"] } }
            for y in plot.y..<(plot.y + plot.height) { b[column(frameIndex), y].bg = theme["selected_bg"] }
        }
        // Each lane named in its colour at its top, with the measure at the playhead (inter-ocular units).
        for (k, c) in curves.enumerated() {
            let y = plot.y + Int(Double(k) * Double(plot.height) / lanes)
            let value = frameIndex < c.values.count && c.values[frameIndex].isFinite ? String(format: " %+.2f", c.values[frameIndex]) : " –"
            b.put(c.name + value, x: plot.x, y: y, style: Style(fg: colors[k % colors.count], bg: theme["main_bg"], bold: true), maxWidth: plot.width)
        }
        let legend = "frame \(frameIndex + 1)" + (apex.map { " · apex \($0 + 1) (a)" } ?? "")
        b.put(legend, x: r.x, y: r.y + r.height - 1, style: app.style("inactive_fg"), maxWidth: r.width)
    }
}
