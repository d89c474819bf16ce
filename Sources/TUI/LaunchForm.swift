import Foundation
import Workbench

/// The training launch form: one line per option of `finecliper train` the workbench asks for,
/// defaults filled in; arrows or Tab move between fields, typing edits the one in focus.
struct LaunchForm {
    struct Field { var name: String; var editor: LineEditor; var help: String }
    var fields: [Field]
    var focus = 0
    var problem: String?

    init(data: String, runsFolder: String, now: Date = Date()) {
        let stamp = DateFormatter()
        stamp.dateFormat = "yyyyMMdd-HHmmss"
        stamp.timeZone = TimeZone(identifier: "UTC")
        fields = [
            Field(name: "dataset", editor: LineEditor(data), help: "dataset root (DFEW, FERV39k, MAFW or annotation lists)"),
            Field(name: "fold", editor: LineEditor(""), help: "1-5 for DFEW and MAFW; empty otherwise"),
            Field(name: "variant", editor: LineEditor("all"), help: "low, mid, high or all"),
            Field(name: "mode", editor: LineEditor("cached"), help: "cached (frozen frame embeddings) or full"),
            Field(name: "model", editor: LineEditor("embedded"), help: "embedded, tiny or a Hugging Face CLIP folder"),
            Field(name: "epochs", editor: LineEditor("10"), help: "epochs"),
            Field(name: "batch", editor: LineEditor("16"), help: "clips per batch"),
            Field(name: "landmarks", editor: LineEditor("points"),
                  help: "points (the tracked coordinates, varied in training, as the embedded model's) or image (their drawing, the paper's); mid and all"),
            Field(name: "run folder", editor: LineEditor(runsFolder + "/run-" + stamp.string(from: now)), help: "created; must not hold a run"),
        ]
    }

    func value(_ name: String) -> String { fields.first { $0.name == name }!.editor.text.trimmingCharacters(in: .whitespaces) }

    enum Outcome { case editing, cancelled, submitted(TrainingRequest) }

    mutating func type(_ key: String) -> Outcome {
        switch key {
        case "up": focus = (focus + fields.count - 1) % fields.count
        case "down", "tab": focus = (focus + 1) % fields.count
        case "esc": return .cancelled
        case "enter":
            do { problem = nil; return .submitted(try request()) } catch { problem = "\(error)" }
        default: _ = fields[focus].editor.type(key)
        }
        return .editing
    }

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// The request, or why the form cannot start a run.
    func request() throws -> TrainingRequest {
        let data = value("dataset"), out = value("run folder")
        guard FileManager.default.fileExists(atPath: data) else { throw Invalid(description: "dataset: \(data) does not exist") }
        guard !out.isEmpty else { throw Invalid(description: "run folder: give a folder") }
        var r = TrainingRequest(data: data, out: out)
        if !value("fold").isEmpty {
            guard let f = Int(value("fold")), (1...5).contains(f) else { throw Invalid(description: "fold: 1 to 5, or empty") }
            r.fold = f
        }
        guard ["low", "mid", "high", "all"].contains(value("variant")) else { throw Invalid(description: "variant: low, mid, high or all") }
        guard ["cached", "full"].contains(value("mode")) else { throw Invalid(description: "mode: cached or full") }
        guard let epochs = Int(value("epochs")), epochs >= 1 else { throw Invalid(description: "epochs: a whole number from 1") }
        guard let batch = Int(value("batch")), batch >= 1 else { throw Invalid(description: "batch: a whole number from 1") }
        guard ["points", "image"].contains(value("landmarks")) else { throw Invalid(description: "landmarks: points or image") }
        r.variant = value("variant"); r.mode = value("mode"); r.model = value("model"); r.epochs = epochs; r.batch = batch
        r.landmarkInput = value("landmarks")
        return r
    }

    func render(into b: inout CellBuffer, app: App) {
        let w = min(b.width - 4, 86), h = min(b.height - 4, fields.count + 6)
        let r = Rect(x: (b.width - w) / 2, y: (b.height - h) / 2, width: w, height: h)
        let style = app.selectedStyle
        b.fill(r, style: Style(fg: app.theme["main_fg"], bg: app.theme["selected_bg"]))
        b.box(r, title: "Launch a training run (finecliper train)", style: style)
        for (i, f) in fields.enumerated() where i < h - 5 {
            let focused = i == focus
            let s = focused ? Style(fg: app.theme["selected_fg"], bg: app.theme["selected_bg"], bold: true, reverse: true)
                            : Style(fg: app.theme["main_fg"], bg: app.theme["selected_bg"])
            b.put(f.name.padding(toLength: 11, withPad: " ", startingAt: 0), x: r.x + 2, y: r.y + 1 + i, style: Style(fg: app.theme["hi_fg"], bg: app.theme["selected_bg"]))
            b.put(focused ? f.editor.display(cursor: "▏") : f.editor.text, x: r.x + 14, y: r.y + 1 + i, style: s, maxWidth: w - 16)
        }
        b.put(problem ?? fields[focus].help, x: r.x + 2, y: r.y + h - 4, style: Style(fg: app.theme[problem == nil ? "inactive_fg" : "error"], bg: app.theme["selected_bg"]), maxWidth: w - 4)
        b.put("↑/↓ Tab move · type to edit · Enter start · Esc cancel", x: r.x + 2, y: r.y + h - 2, style: Style(fg: app.theme["hi_fg"], bg: app.theme["selected_bg"]), maxWidth: w - 4)
    }
}
