import ArgumentParser
import Datasets
import Foundation
import TUI
import Workbench

/// `finecliper tui …` (and `finecliper` alone): the terminal workbench.
struct TuiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Browse clips, play them with landmarks and the model's live scores, hunt misclassified clips, launch and watch training.",
        discussion: """
            With no clips and no --data, opens the synthetic samples in samples/ (train and test). A dataset's \
            descriptions.jsonl is used when --descriptions is not given. The embedded model (samples/model) \
            scores clips unless --model names a checkpoint of finecliper train or --no-model is given. \
            Screens: 1 browser, 2 player, 3 training, 4 confusion matrix; ? lists every key.
            """)

    @Argument(help: "Videos, images or frame folders (a folder of videos lists them).")
    var clips: [String] = []

    @Option(help: "A dataset root instead of loose clips.")
    var data: String?

    @Option(help: "Dataset layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: DatasetFormat?

    @Option(help: "Fold (DFEW and MAFW: 1-5).")
    var fold: Int?

    @Option(help: "Split to browse: test, train or all.")
    var split = "test"

    @Option(help: "Frame rate for frame folders, which carry none of their own.")
    var fps = 25.0

    @Option(help: "A descriptions file (JSON Lines or CSV) for the clips.")
    var descriptions: String?

    @Option(help: "Colour depth: direct, 256 or 16 (default: what the terminal reports).")
    var colors: String?

    @Option(help: "Theme name from themes/ (dark, light, tty).")
    var theme: String?

    @Option(help: "A checkpoint written by finecliper train (default: the embedded model).")
    var model: String?

    @Flag(help: "Start without a model (browse and play only).")
    var noModel = false

    @Option(help: "A predictions file of finecliper eval: verdicts in the browser and the confusion matrix.")
    var predictions: String?

    @Option(name: .customLong("run"), help: "Open this run folder on the training screen.")
    var runFolder: String?

    @Option(help: "Where the training screen lists runs and puts new ones.")
    var runs = "runs"

    func run() throws {
        var catalog: ClipCatalog
        if let root = data ?? (clips.isEmpty ? Assets.samples : nil) {
            let split = data == nil ? "all" : split
            let descriptionsFile = descriptions ?? [root + "/descriptions.jsonl"].first { FileManager.default.fileExists(atPath: $0) }
            let store = try descriptionsFile.map { try DescriptionStore(path: $0) }
            catalog = try ClipCatalog.dataset(root: root, format: format, fold: fold, split: split, descriptions: store)
        } else {
            catalog = ClipCatalog.loose(clips.isEmpty ? [Assets.path("media")] : clips)
        }
        guard fps > 0 && fps <= 1000 else { throw ValidationError("--fps must be in (0, 1000]") }
        catalog.folderFrameRate = fps
        guard !catalog.clips.isEmpty else { throw CommandError("no clips to show; run scripts/setup or pass videos", kind: .missingInput) }
        let depth = try colors.map { c -> ColorDepth in
            guard let d = ColorDepth(rawValue: c) else { throw ValidationError("--colors must be direct, 256 or 16") }
            return d
        }
        let settings = Settings.load()
        let (themes, themeProblems) = Settings.themes(first: theme ?? settings.display.theme)
        let models = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks, expressionReference: Assets.expressionReference)
        var problems = settings.problems + themeProblems + (models == nil ? ["face models missing (run scripts/setup): playing without landmarks"] : [])
        // A checkpoint asked for must load; the embedded default may be missing (said, not fatal).
        var classifier: ClassifierModel?
        if !noModel {
            do {
                classifier = try ClassifierModel(checkpoint: model, embeddedCheckpoint: Assets.embeddedCheckpoint,
                                                 embeddedCLIP: Assets.embeddedCLIP, bpeFile: Assets.bpe)
            } catch where model == nil {
                problems.append("the embedded model could not be loaded (\(error)): playing without scores")
            }
        }
        let loaded = try predictions.map { try PredictionsFile.read($0) }
        if let loaded, !loaded.badLines.isEmpty {
            problems.append("\(predictions!): \(loaded.badLines.count) lines are not predictions (first: line \(loaded.badLines[0]))")
        }
        if let runFolder, !FileManager.default.fileExists(atPath: runFolder + "/events.jsonl") {
            throw CommandError("\(runFolder) holds no training run (no events.jsonl)", kind: .missingInput)
        }
        let app = App(catalog: catalog, keymap: settings.keymap, themes: themes, faceModels: models, model: classifier)
        app.messages = problems
        app.settingsFiles = Settings.files
        app.dataRoot = data ?? Assets.samples
        app.runsFolder = runs
        if let loaded { app.load(predictions: loaded.predictions) }
        if let runFolder { app.openRun(runFolder) }
        guard isatty(STDOUT_FILENO) != 0 else { throw CommandError("the terminal front end needs a terminal on standard output", kind: .io) }
        let terminal = Terminal(forcedDepth: depth ?? settings.display.colors)
        defer { terminal.close() }
        app.run(terminal: terminal)
    }
}

