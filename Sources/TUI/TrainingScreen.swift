import Foundation
import Workbench
import TensorCore

/// Launching and watching training runs. Without a run open it lists the runs found in the runs
/// folder; a run's view tails its events.jsonl: header (epoch, step, progress, elapsed, ETA,
/// clips/s), braille charts of the loss (raw and smoothed), validation UAR/WAR and learning
/// rates, per-class recall, the last confusion matrix and an events line. The same view opens
/// finished runs, runs started from the command line and folders copied from another machine.
final class TrainingScreen: Screen {
    var monitor: RunMonitor?
    /// The run this session started (asked about on quit).
    var launchedRun: RunMonitor?
    var form: LaunchForm?
    var pathEditor: LineEditor?
    var runs: [String] = []
    var selection = Selection()
    var lastScan = Date.distantPast
    var lastRefresh = Date.distantPast

    var takesText: Bool { form != nil || pathEditor != nil }

    func type(_ key: String, app: App) {
        if var f = form {
            switch f.type(key) {
            case .editing: form = f
            case .cancelled: form = nil
            case let .submitted(request):
                form = f
                app.confirmation = Confirmation(title: "Start training",
                                                text: "finecliper " + request.arguments.joined(separator: " "),
                                                choices: [("y", "start", { self.launch(request, app: app) }), ("n", "back to the form", {})])
            }
        } else if var e = pathEditor {
            switch e.type(key) {
            case .editing: pathEditor = e
            case .cancelled: pathEditor = nil
            case .committed: pathEditor = nil; open(e.text.trimmingCharacters(in: .whitespaces), app: app)
            }
        }
    }

    func launch(_ request: TrainingRequest, app: App) {
        do {
            let pid = try TrainingLauncher.launch(request)
            form = nil
            let m = RunMonitor(folder: request.out, child: pid)
            launchedRun = m
            monitor = m
            app.messages.append("started training (pid \(pid)) in \(request.out); its output goes to \(request.out)/train.log")
        } catch {
            form?.problem = "\(error)"
        }
    }

    func open(_ folder: String, app: App) {
        guard FileManager.default.fileExists(atPath: folder + "/events.jsonl") else {
            app.messages.append("\(folder) holds no run (no events.jsonl)")
            return
        }
        monitor = launchedRun?.status.folder == folder ? launchedRun : RunMonitor(folder: folder)
    }

    func handle(_ action: Action, app: App) {
        switch action {
        case .newRun: form = LaunchForm(data: app.dataRoot ?? "samples", runsFolder: app.runsFolder)
        case .openRun: pathEditor = LineEditor(app.runsFolder + "/")
        case .stopRun:
            guard let m = monitor, m.status.isRunning else { app.messages.append("no running run is open"); return }
            app.confirmation = Confirmation(title: "Stop training", text: "Stop the run in \(m.status.folder)? It saves a checkpoint and can be resumed with --resume.",
                                            choices: [("y", "stop it", { app.messages.append(m.stop() ? "asked the run to stop" : "could not signal the run") }), ("n", "keep it running", {})])
        case .back: if monitor != nil { monitor = nil; lastScan = .distantPast } else { app.show(.browser) }
        case .up: if monitor == nil { selection.move(by: -1, count: runs.count, visibleRows: 10) }
        case .down: if monitor == nil { selection.move(by: 1, count: runs.count, visibleRows: 10) }
        case .open: if monitor == nil, selection.selected < runs.count { open(runs[selection.selected], app: app) } else if monitor != nil { openPredictions(app: app) }
        default: break
        }
    }

    /// The run's predictions (the last epoch's on its validation clips, else a `finecliper eval`
    /// file in the run folder) into the confusion view. When the browser does not hold those
    /// clips, it switches to every clip of the run's dataset.
    func openPredictions(app: App) {
        guard let status = monitor?.status else { return }
        let folder = status.folder
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("predictions") && $0.hasSuffix(".jsonl") }
            .sorted { ($0 == "predictions-validation.jsonl" ? 0 : 1, $0) < ($1 == "predictions-validation.jsonl" ? 0 : 1, $1) }
        guard let file = files.first else { app.messages.append("no predictions in \(folder) yet: they are written after each epoch"); return }
        do {
            let contents = try PredictionsFile.read(folder + "/" + file)
            let ids = Set(app.catalog.clips.map(\.id))
            if !contents.predictions.keys.contains(where: ids.contains), let config = status.config {
                app.catalog = try ClipCatalog.of(run: config)
                app.scanCatalog()
                app.messages.append("showing \(app.catalog.title), the run's dataset")
            }
            app.load(predictions: contents.predictions)
            app.show(.confusion)
        } catch { app.messages.append("\(error)") }
    }

    func tick(app: App, now: Date) {
        // Tailing costs a stat and a read of what was appended: twice a second is plenty.
        if now.timeIntervalSince(lastRefresh) >= 0.5 {
            lastRefresh = now
            monitor?.refresh()
            if launchedRun !== monitor { launchedRun?.refresh() }
        }
        if monitor == nil, app.screen == .training, now.timeIntervalSince(lastScan) > 2 {
            lastScan = now
            runs = Self.findRuns(in: app.runsFolder)
            selection.clamp(count: runs.count)
        }
    }

    /// Folders under `root` (one level) holding an events.jsonl, newest first.
    static func findRuns(in root: String) -> [String] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: root)) ?? []
        let runs = names.map { root + "/" + $0 }.filter { fm.fileExists(atPath: $0 + "/events.jsonl") }
        func modified(_ p: String) -> Date { ((try? fm.attributesOfItem(atPath: p + "/events.jsonl"))?[.modificationDate] as? Date) ?? .distantPast }
        return runs.sorted { modified($0) > modified($1) }
    }

    func mode(app: App) -> String { form != nil ? "launch form" : pathEditor != nil ? "open run" : monitor.map { $0.status.isRunning ? "training" : "run" } ?? "runs" }

    func render(into b: inout CellBuffer, app: App) {
        if let m = monitor { drawRun(m.status, into: &b, app: app) } else { drawRunList(into: &b, app: app) }
        if let e = pathEditor {
            Modal.render(title: "Open a run folder (Enter opens, Esc cancels)", text: e.display(cursor: "▏"), into: &b, width: 70, style: app.selectedStyle)
        }
        form?.render(into: &b, app: app)
        app.drawMessage(&b)
    }

    func drawRunList(into b: inout CellBuffer, app: App) {
        b.put("finecliper · training", x: 1, y: 0, style: app.style("title", bold: true))
        let keys = [(Action.newRun, "launch a run"), (.openRun, "open a folder"), (.open, "open the selected run")]
            .compactMap { a, w in app.keymap.shortestKey(for: a).map { "\($0) \(w)" } }.joined(separator: " · ")
        b.put(keys, x: 1, y: 1, style: app.style("hi_fg"))
        let area = Rect(x: 0, y: 3, width: b.width, height: b.height - 5)
        b.box(area, title: "Runs in \(app.runsFolder)/", style: app.style("border"))
        if runs.isEmpty {
            b.put("No runs yet.", x: 2, y: area.y + 1, style: app.style("inactive_fg"))
            return
        }
        var list = ListView(items: runs.map { PathText.lastComponent($0) })
        list.selection = selection
        list.render(into: &b, area.inset(1), normal: app.base, highlight: app.selectedStyle)
    }

    func drawRun(_ s: RunStatus, into b: inout CellBuffer, app: App) {
        let name = PathText.lastComponent(s.folder)
        let state: String
        if let f = s.finished { state = f.status + (f.message.map { ": \($0)" } ?? "") }
        else if s.isRunning { state = "running (pid \(s.pid!))" }
        else if s.config == nil { state = "starting…" }
        else { state = "not running (killed, or copied from elsewhere)" }
        b.put("run \(name) · \(state)", x: 1, y: 0, style: app.style(s.finished?.status == "failed" ? "error" : "title", bold: true), maxWidth: b.width - 2)
        let totalSteps = s.totalSteps ?? 0
        var cps = s.steps.last.map { String(format: "%.1f clips/s", $0.clipsPerSecond) } ?? "– clips/s"
        if let ranks = s.config?.ranks, ranks > 1 {
            cps += " on \(ranks) ranks" + (s.steps.last?.rankClipsPerSecond.map { " (" + $0.map { String(format: "%.0f", $0) }.joined(separator: "/") + ")" } ?? "")
        }
        let header = "epoch \(s.epoch)/\(s.totalEpochs.map(String.init) ?? "?")   step \(s.step)/\(totalSteps)   elapsed \(Self.clock(s.elapsed()))   ETA \(s.eta.map(Self.clock) ?? "–")   \(cps)"
        b.put(header, x: 1, y: 1, style: app.base, maxWidth: b.width - 2)
        ProgressView.render(totalSteps > 0 ? Double(s.step) / Double(totalSteps) : 0, label: "progress", into: &b,
                            Rect(x: 1, y: 2, width: b.width - 2, height: 1), style: app.style("bar_high"))
        let top = 3, bottom = b.height - 3
        let half = b.width / 2
        let chartHeight = max(4, (bottom - top) / 2)
        let left = Rect(x: 0, y: top, width: half, height: chartHeight), left2 = Rect(x: 0, y: top + chartHeight, width: half, height: bottom - top - chartHeight)
        let right = Rect(x: half, y: top, width: b.width - half, height: chartHeight), right2 = Rect(x: half, y: top + chartHeight, width: b.width - half, height: bottom - top - chartHeight)

        let losses = s.steps.map(\.loss)
        b.box(left, title: "training loss (raw, smoothed)", style: app.style("border"))
        LineChart.render([LineChart.Series("loss", losses, color: app.theme["graph_loss"]), LineChart.Series("ema", Self.debiasedEMA(losses), color: app.theme["graph_ema"])],
                         into: &b, left.inset(1), style: app.style("inactive_fg"))
        b.box(left2, title: "validation UAR / WAR per epoch", style: app.style("border"))
        if s.epochs.isEmpty {
            b.put("after the first epoch", x: left2.x + 2, y: left2.y + 1, style: app.style("inactive_fg"))
        } else {
            LineChart.render([LineChart.Series("UAR", s.epochs.map(\.uar), color: app.theme["graph_uar"]), LineChart.Series("WAR", s.epochs.map(\.war), color: app.theme["graph_war"])],
                             into: &b, Rect(x: left2.x + 1, y: left2.y + 1, width: left2.width - 2, height: left2.height - 3), style: app.style("inactive_fg"))
            if let last = s.epochs.last {
                b.put(String(format: "last UAR %.2f  WAR %.2f", last.uar, last.war) + (s.bestEpoch.map { String(format: " · best UAR %.2f at epoch %d", $0.uar, $0.epoch) } ?? ""),
                      x: left2.x + 2, y: left2.y + left2.height - 2, style: app.style("hi_fg"), maxWidth: left2.width - 4)
            }
        }
        let groups = Set(s.steps.flatMap { $0.learningRates.keys }).sorted()
        b.box(right, title: "learning rate per group", style: app.style("border"))
        let colors = app.classColors
        LineChart.render(groups.enumerated().map { k, g in LineChart.Series(g, s.steps.map { $0.learningRates[g] ?? .nan }, color: colors[k % colors.count]) },
                         into: &b, Rect(x: right.x + 1, y: right.y + 1, width: right.width - 2, height: right.height - 3), style: app.style("inactive_fg"))
        var x = right.x + 2
        for (k, g) in groups.enumerated() where x < right.x + right.width - 2 {
            b.put(g, x: x, y: right.y + right.height - 2, style: Style(fg: colors[k % colors.count], bg: app.theme["main_bg"]), maxWidth: right.x + right.width - 2 - x)
            x += g.count + 2
        }
        b.box(right2, title: "last epoch: recall and confusion (Enter: clips)", style: app.style("border"))
        if let last = s.epochs.last, let classes = s.config?.classes {
            let inner = right2.inset(1)
            let n = classes.count
            BarChart.render(classes.indices.map { (classes[$0], $0 < last.recall.count ? (last.recall[$0] ?? 0) : 0) }, into: &b,
                            Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: min(n, inner.height)), labelWidth: 12, style: app.style("bar_high"))
            if inner.height > 2 * n + 2 {
                Heatmap.render(last.confusion.counts, classes: classes, cursor: nil, into: &b, Rect(x: inner.x + 1, y: inner.y + n + 1, width: inner.width - 2, height: n + 1),
                               style: app.base, low: app.theme["heat_low"], high: app.theme["heat_high"], labelWidth: 12)
            }
        }
        // The events line: the best checkpoint and the latest alert.
        var events: [String] = []
        if let c = s.checkpoints.last(where: \.best) { events.append("best checkpoint: epoch \(c.epoch) (\(PathText.lastComponent(c.path)))") }
        if let a = s.alerts.last { events.append("alert at step \(a.step): \(a.kind) — \(a.message)") }
        if s.malformedLines > 0 { events.append("\(s.malformedLines) unreadable log lines skipped") }
        if !events.isEmpty {
            b.put(events.joined(separator: " · "), x: 1, y: b.height - 3, style: app.style(s.alerts.isEmpty ? "ok" : "warning"), maxWidth: b.width - 2)
        }
    }

    /// The loss smoothed as an exponential moving average (β = 0.9) with the start-up bias removed.
    static func debiasedEMA(_ values: [Double], beta: Double = 0.9) -> [Double] {
        var ema = 0.0, out: [Double] = []
        for (t, v) in values.enumerated() {
            ema = beta * ema + (1 - beta) * v
            out.append(ema / (1 - pow(beta, Double(t + 1))))
        }
        return out
    }

    static func clock(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
