import Foundation
import Workbench

/// The clip list: id, label, the model's verdict (prediction, confidence, ✓/✗, PN margin) once
/// there are predictions, frames and description; a live filter and sort orders; an
/// evaluation's progress while it runs.
final class BrowserScreen: Screen {
    var table = Table(columns: [])
    /// Rows the list showed at the last render (page up/down move by this).
    var pageRows = 10
    var visible: [Int] = []
    var editor: LineEditor?
    var query = ""
    var sortOrder: ClipCatalog.SortOrder = .original
    var reversed = false
    /// Whether the last render could use ✓/✗ (rows are rebuilt when that changes).
    var unicode = true

    var takesText: Bool { editor != nil }

    /// Rebuilds the rows; the selected clip stays selected when it is still listed.
    func refresh(app: App) {
        let catalog = app.catalog, predictions = app.predictions
        let selectedClip: Int? = table.selection.selected < visible.count ? visible[table.selection.selected] : nil
        let order = catalog.sorted(catalog.filtered(query, predictions: predictions), by: sortOrder, predictions: predictions)
        visible = reversed ? order.reversed() : order
        let idWidth = min(28, max(8, catalog.clips.map(\.id.count).max() ?? 0))
        var columns = [Table.Column("clip", width: idWidth), Table.Column("label", width: 10)]
        if !predictions.isEmpty {
            columns += [Table.Column("predicted", width: 10), Table.Column("conf", width: 6, alignRight: true), Table.Column("", width: 1),
                        Table.Column("margin", width: 7, alignRight: true)]
        }
        columns.append(Table.Column("frames", width: 6, alignRight: true))
        // Loose clips: what the background scan found (blank until it gets there).
        if catalog.isLoose {
            columns += [Table.Column("time", width: 6, alignRight: true), Table.Column("size", width: 7, alignRight: true), Table.Column("format", width: 16)]
        }
        table.columns = columns + [Table.Column("description")]
        table.rows = visible.map { i in
            let c = catalog.clips[i]
            var row = [c.id, c.label ?? ""]
            if !predictions.isEmpty {
                if let p = predictions[c.id] {
                    let mark = p.truth < 0 ? "" : p.correct ? (unicode ? "✓" : "+") : (unicode ? "✗" : "x")
                    row += [p.classes[p.prediction], String(format: "%.0f%%", 100 * p.probabilities[p.prediction]), mark,
                            String(format: "%+.3f", p.margins[p.prediction])]
                } else {
                    row += ["", "", "", ""]
                }
            }
            let problem = c.error.map { e in e.hasPrefix("warning: ") ? "! " + e.dropFirst(9) : (unicode ? "✗ " : "x ") + e }
            row.append(c.frames.map(String.init) ?? "")
            if catalog.isLoose {
                row += c.facts.map { [Self.clock($0.seconds), Self.bytes($0.bytes), $0.format] } ?? ["", "", ""]
            }
            return row + [problem ?? (c.description ?? "")]
        }
        if let selectedClip, let row = visible.firstIndex(of: selectedClip) {
            table.selection.selected = row
            table.selection.offset = min(table.selection.offset, row)
            if row >= table.selection.offset + pageRows { table.selection.offset = row - pageRows + 1 }
        }
        table.selection.clamp(count: table.rows.count)
    }

    /// m:ss of a duration.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    /// A file size in the unit that keeps it short.
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    func type(_ key: String, app: App) {
        guard var e = editor else { return }
        switch e.type(key) {
        case .editing: editor = e; query = e.text
        case .committed: editor = nil
        case .cancelled: editor = nil; query = ""
        }
        refresh(app: app)
    }

    func handle(_ action: Action, app: App) {
        switch action {
        case .back: if !query.isEmpty { query = ""; refresh(app: app) }
        case .filter: editor = LineEditor(query)
        case .up: table.move(by: -1, visibleRows: pageRows)
        case .down: table.move(by: 1, visibleRows: pageRows)
        case .pageUp: table.move(by: -pageRows, visibleRows: pageRows)
        case .pageDown: table.move(by: pageRows, visibleRows: pageRows)
        case .top: table.move(by: -table.rows.count, visibleRows: pageRows)
        case .bottom: table.move(by: table.rows.count, visibleRows: pageRows)
        case .open: if table.selection.selected < visible.count { app.open(clip: visible[table.selection.selected]) }
        case .sort: sortOrder = sortOrder.next; refresh(app: app)
        case .reverse: reversed.toggle(); refresh(app: app)
        default: break
        }
    }

    /// Shows exactly the clips of a filter (a confusion cell's), the first selected.
    func show(query q: String, app: App) {
        query = q
        editor = nil
        table.selection = Selection()
        refresh(app: app)
    }

    func mode(app: App) -> String { editor != nil ? "filter" : "browser" }

    func tick(app: App, now: Date) {
        markFailure(app: app)
    }

    /// A clip that failed in the player is marked in the list, and the mark follows what decoding
    /// finds later (a count of undecodable frames grows); the message is said once.
    func markFailure(app: App) {
        if let (i, e) = app.player.failure(), app.catalog.clips[i].error != e {
            if app.catalog.clips[i].error == nil { app.messages.append("\(app.catalog.clips[i].id): \(e)") }
            app.catalog.clips[i].error = e
            refresh(app: app)
        }
    }

    func render(into b: inout CellBuffer, app: App) {
        if b.unicode != unicode { unicode = b.unicode; refresh(app: app) }
        let catalog = app.catalog
        b.put("finecliper · \(catalog.title) · \(visible.count) of \(catalog.clips.count) clips", x: 1, y: 0, style: app.style("title", bold: true))
        var summary = catalog.classCounts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
        if summary.isEmpty { summary = "\(catalog.clips.count) loose clips" }
        if let scan = app.scan, scan.done < scan.total { summary += " · looking at them \(scan.done)/\(scan.total)" }
        if let e = app.evaluation {
            let p = e.progress
            ProgressView.render(Double(p.done) / Double(max(1, p.total)), label: "evaluating \(p.done)/\(p.total)" + (p.current.map { " \($0)" } ?? ""),
                                into: &b, Rect(x: 1, y: 1, width: b.width - 2, height: 1), style: app.style("bar_high"))
        } else if !app.predictions.isEmpty {
            let m = app.confusionMatrix
            let wrong = app.predictions.values.filter { $0.truth >= 0 && !$0.correct }.count
            b.put(String(format: "UAR %.2f  WAR %.2f  on %d clips · %d wrong  (4: confusion matrix)", m.uar, m.war, m.total, wrong), x: 1, y: 1, style: app.style("hi_fg"))
        } else {
            b.put(summary + (app.model != nil && app.faceModels != nil ? "   e: evaluate the model on every clip" : ""), x: 1, y: 1, style: app.style("inactive_fg"))
        }
        let hint = app.predictions.isEmpty ? "/ to filter (text or class:NAME), Enter to play" : "/ to filter (text, wrong, right, pred:NAME, true:NAME), Enter to play"
        let filterLine = (editor != nil || !query.isEmpty ? "/" + (editor.map { $0.display(cursor: b.unicode ? "▏" : "_") } ?? query) : hint) + "   sorted by \(sortOrder.rawValue)\(reversed ? ", reversed" : "") (s, S)"
        b.put(filterLine, x: 1, y: 2, style: app.style("hi_fg"))
        // The box ends above the message line, so messages never sit on its border.
        let area = Rect(x: 0, y: 3, width: b.width, height: b.height - 5)
        b.box(area, title: "Clips", style: app.style("border"))
        pageRows = max(1, area.height - 3)
        if visible.isEmpty {
            b.put(query.isEmpty ? "no clips" : "no clips match \"\(query)\" (Esc clears the filter)", x: 2, y: area.y + 2, style: app.style("warning"), maxWidth: b.width - 4)
        }
        let failed = app.style("error"), wrong = app.style("error"), warning = app.style("warning")
        let predictions = app.predictions
        table.render(into: &b, area.inset(1), header: app.style("title", bold: true), normal: app.base,
                     highlight: app.selectedStyle,
                     rowStyle: { [visible] row in
                         let clip = catalog.clips[visible[row]]
                         if let e = clip.error { return e.hasPrefix("warning:") ? warning : failed }
                         guard let p = predictions[clip.id], p.truth >= 0 else { return nil }
                         return p.correct ? nil : wrong
                     })
        app.drawMessage(&b)
    }
}
