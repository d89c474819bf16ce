import ArgumentParser
import Datasets
import Foundation

/// `finecliper dataset …`: look at a dataset before training on it.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect a DFER dataset (DFEW, FERV39k, MAFW or DFER-CLIP annotation lists).",
        subcommands: [DatasetInfo.self, DatasetDescribe.self, DatasetPhrases.self])
}

struct DatasetInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Clips per split and class, frame-count statistics and unreadable clips.",
        discussion: """
            DIR is the root of an official release (DFEW: the folder holding EmoLabel_DataSplit and \
            Clip; FERV39k: the folder holding 4_setups and 2_ClipsforFaceCrop; MAFW: the folder holding \
            'Train & Test Set' and data) or a folder of DFER-CLIP annotation lists. The layout is \
            detected unless --format is given.
            """)

    @Option(name: .long, help: "Dataset root folder.")
    var data: String

    @Option(help: "Layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: DatasetFormat?

    @Option(help: "Fold (DFEW and MAFW: 1-5).")
    var fold: Int?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Skip malformed annotation lines (and count them) instead of stopping.")
    var skipBadLines = false

    @Flag(help: "Do not open the clips (faster; no frame counts measured, no unreadable clips found).")
    var noOpen = false

    @Flag(help: "Also decode every frame of every clip and list the frames that fail (slow).")
    var verify = false

    func validate() throws {
        guard !(noOpen && verify) else { throw ValidationError("--verify decodes the clips; it cannot go with --no-open") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: data) else { throw DatasetError.missing(path: data, what: "a dataset folder") }
        guard let format = format ?? DatasetFormat.detect(root: data) else {
            throw DatasetError.unknownFormat(path: data)
        }
        let splits = try format.open(root: data, fold: fold, skipBadLines: skipBadLines)
        let bar = noOpen ? nil : ProgressBar(label: verify ? "decoding every frame" : "opening clips")
        let summary = DatasetSummary.compute(splits, openClips: !noOpen, verify: verify) { done, total in bar?.update(done, of: total) }
        bar?.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.table(), terminator: "")
        }
    }
}

extension DatasetFormat: ExpressibleByArgument {}
