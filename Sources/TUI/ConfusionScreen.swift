import Foundation
import Workbench

/// The predictions' confusion matrix as a heat grid with per-class recall; `Enter` on a cell
/// lists exactly those clips in the browser, from where one opens in the player.
final class ConfusionScreen: Screen {
    var row = 0
    var column = 0

    func handle(_ action: Action, app: App) {
        let n = app.confusionMatrix.classes
        guard n > 0 else { if action == .back { app.show(.browser) }; return }
        switch action {
        case .up: row = max(0, row - 1)
        case .down: row = min(n - 1, row + 1)
        case .seekBack, .stepBack: column = max(0, column - 1)
        case .seekForward, .stepForward: column = min(n - 1, column + 1)
        case .top: row = 0; column = 0
        case .bottom: row = n - 1; column = n - 1
        case .open: openCell(app: app)
        case .back: app.show(.browser)
        default: break
        }
    }

    /// The browser filtered to the cell's clips (truth = row, prediction = column).
    func openCell(app: App) {
        let classes = app.predictionClasses
        guard row < classes.count, column < classes.count else { return }
        let count = app.confusionMatrix.counts[row][column]
        guard count > 0 else { app.messages.append("no clip of \(classes[row]) was predicted \(classes[column])"); return }
        app.browser.show(query: "true:\(classes[row].lowercased()) pred:\(classes[column].lowercased())", app: app)
        app.show(.browser)
    }

    func mode(app: App) -> String { "confusion" }

    func render(into b: inout CellBuffer, app: App) {
        b.put("finecliper · confusion matrix · \(app.catalog.title)", x: 1, y: 0, style: app.style("title", bold: true))
        let m = app.confusionMatrix
        guard m.total > 0 else {
            let why = app.evaluation != nil ? "The evaluation is running; its verdicts fill this matrix as they land."
                : "No predictions yet: press e to evaluate the model on these clips, or start with --predictions FILE (written by finecliper eval)."
            TextBox.render(why, into: &b, Rect(x: 2, y: 2, width: b.width - 4, height: 4), style: app.style("hi_fg"))
            app.drawMessage(&b)
            return
        }
        let classes = app.predictionClasses
        row = min(row, m.classes - 1); column = min(column, m.classes - 1)
        b.put(String(format: "UAR %.2f  WAR %.2f  on %d clips · rows: truth, columns: prediction, colour: share of the row", m.uar, m.war, m.total),
              x: 1, y: 1, style: app.style("hi_fg"), maxWidth: b.width - 2)
        let gridWidth = min(b.width - 2, 12 + 7 * m.classes)
        let grid = Rect(x: 1, y: 3, width: gridWidth, height: min(b.height - 6, m.classes + 1))
        Heatmap.render(m.counts, classes: classes, cursor: (row, column), into: &b, grid, style: app.base,
                       low: app.theme["heat_low"], high: app.theme["heat_high"], labelWidth: 12)
        var y = grid.y + grid.height + 1
        if y < b.height - 3 {
            let cell = m.counts[row][column]
            b.put("\(classes[row]) predicted \(classes[column]): \(cell) clip\(cell == 1 ? "" : "s") · arrows move, Enter lists them",
                  x: 1, y: y, style: app.style("title", bold: true), maxWidth: b.width - 2)
            y += 2
        }
        // Recall per class beside the grid when there is room, else below it.
        let recallArea = gridWidth + 30 < b.width ? Rect(x: gridWidth + 4, y: 3, width: b.width - gridWidth - 6, height: m.classes + 1)
                                                  : Rect(x: 1, y: y, width: b.width - 2, height: min(m.classes + 1, b.height - 3 - y))
        b.put("recall", x: recallArea.x, y: recallArea.y, style: app.style("title", bold: true))
        BarChart.render(classes.indices.map { (classes[$0], m.recall[$0] ?? 0) }, into: &b,
                        Rect(x: recallArea.x, y: recallArea.y + 1, width: recallArea.width, height: recallArea.height - 1),
                        labelWidth: 12, style: app.style("bar_high"), highlight: row)
        app.drawMessage(&b)
    }
}
