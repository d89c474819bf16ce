import ArgumentParser
import FineCLIPER
import Foundation
import TensorCore
import Training
import Workbench

/// `finecliper eval`: UAR/WAR, per-class recall and precision, the confusion matrix and a
/// predictions file for a trained model on a dataset split.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained FineCLIPER model: UAR, WAR, confusion matrix, predictions per clip.",
        discussion: """
            --run RUN evaluates RUN/checkpoints/best.safetensors (or --checkpoint last, or a path) with the \
            run's configuration; a checkpoint alone carries its configuration too, and --data, --model, \
            --format and --fold override it (a model trained on one dataset evaluated on another). The \
            predictions file (JSON Lines, one clip per line: truth, prediction, probabilities, cos to each \
            positive and negative prompt, margins, per-modality margins, fusion weights, per-frame \
            probabilities) is what the workbench's misclassification views read. --zero-shot evaluates \
            on the classes of the dataset given with --data (e.g. a model trained on DFEW's 7 classes, \
            with descriptions, on MAFW's 11): the positive and negative prompts are built from that \
            dataset's class nouns, which no trained weight depends on (FINECLIPER.md §7.3; the paper \
            leaves open whether it prompted with PN descriptors or class descriptions: this uses PN).
            """)

    @Option(name: .customLong("run"), help: "A run folder written by finecliper train.") var runFolder: String?
    @Option(help: "best, last (of --run), embedded (the shipped model) or a checkpoint file.") var checkpoint = "best"
    @Option(help: "Dataset root (default: the run's).") var data: String?
    @Option(help: "Layout: dfew, ferv39k, mafw or list.") var format: String?
    @Option(help: "Fold.") var fold: Int?
    @Option(help: "CLIP folder, embedded or tiny (default: the run's).") var model: String?
    @Option(help: "Split: test, validation or train.") var split = "test"
    @Option(help: "Predictions file (JSON Lines); default RUN/predictions-SPLIT.jsonl.") var predictions: String?
    @Flag(help: "Print the metrics as JSON.") var json = false
    @Flag(help: "Zero-shot protocol: score the --data dataset's own classes, whatever classes the model was trained on.") var zeroShot = false

    func validate() throws {
        guard ["test", "validation", "train"].contains(split) else { throw ValidationError("--split must be test, validation or train") }
        guard runFolder != nil || !["best", "last"].contains(checkpoint) else { throw ValidationError("give --run, or --checkpoint FILE or embedded") }
        guard !zeroShot || data != nil else { throw ValidationError("--zero-shot needs --data: the dataset whose classes are scored") }
    }

    func run() throws {
        let path = ["best", "last"].contains(checkpoint) ? runFolder! + "/checkpoints/\(checkpoint).safetensors"
            : checkpoint == "embedded" ? Assets.embeddedCheckpoint : checkpoint
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError("\(path): no such checkpoint", kind: .missingInput) }
        let file = try SafeTensorsFile(path: path)
        guard let json = file.metadata["finecliper.train_config"],
              var config = try? JSONDecoder().decode(TrainConfig.self, from: Data(json.utf8)) else {
            throw CommandError("\(path): not a training checkpoint of finecliper (no training configuration in its metadata)")
        }
        if let data { config.data = data }
        if let format { config.format = format }
        if let fold { config.fold = fold }
        if let model { config.model = model }
        let faces = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks)
        let experiment = try Experiment(config: config, bpeFile: Assets.bpe, faceModels: faces, embeddedFolder: Assets.embeddedCLIP)
        try ModelCheckpoint.load(into: experiment.model, from: file, otherClasses: zeroShot)
        let trainedOn = try ModelCheckpoint.config(of: file).classNames
        let clips = split == "test" ? experiment.test : split == "validation" ? experiment.validation : experiment.train
        guard !clips.isEmpty else { throw CommandError("the \(split) split is empty") }
        // Under mpirun each rank scores a shard; rank 0 writes and prints for all.
        let communicator = try MPICommunicator.current()
        let bar = communicator.isRoot ? ProgressBar(label: "eval") : nil
        var result: (ConfusionMatrix, [(id: String, label: Int, output: ModelOutput)])?
        try DistributedJob.run(communicator) { result = try experiment.evaluate(clips, communicator: communicator) { bar?.update($0, of: clips.count) } }
        bar?.finish()
        guard let (matrix, outputs) = result else { return }
        let out = predictions ?? (runFolder.map { $0 + "/predictions-\(split).jsonl" } ?? "predictions-\(split).jsonl")
        try ClipPrediction.write(outputs, to: out)
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Report: Encodable {
                let split: String; let clips: Int; let uar: Double; let war: Double; let recall: [Double?]; let precision: [Double?]
                let confusion: [[Int]]; let classes: [String]; let predictions: String; let zeroShot: Bool; let trainedOn: [String]
            }
            print(String(decoding: try encoder.encode(Report(split: split, clips: matrix.total, uar: matrix.uar, war: matrix.war, recall: matrix.recall,
                                                             precision: matrix.precision, confusion: matrix.counts, classes: experiment.classes,
                                                             predictions: out, zeroShot: zeroShot, trainedOn: trainedOn)), as: UTF8.self))
            return
        }
        let protocolNote = zeroShot ? ", zero-shot on \(experiment.classes.count) classes (trained on \(trainedOn.count): \(trainedOn.joined(separator: ", ")))" : ""
        print(MetricsTable.text(matrix, classes: experiment.classes, title: "\(split) split, \(matrix.total) clips, \(path)\(protocolNote)"))
        print("predictions: \(out)")
    }
}

/// UAR/WAR, per-class recall and precision, and the confusion matrix as a text table.
enum MetricsTable {
    static func text(_ m: ConfusionMatrix, classes: [String], title: String) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%6.2f", 100 * $0) } ?? "     -" }
        func column(_ name: String) -> String { String(repeating: " ", count: max(0, 5 - min(5, name.count))) + String(name.prefix(5)) + " " }
        var lines = [title, String(format: "UAR %.2f  WAR %.2f", m.uar, m.war), "",
                     String(repeating: " ", count: 39) + "predicted as",
                     "class".padding(toLength: 12, withPad: " ", startingAt: 0) + " support  recall   prec.   " + classes.map(column).joined()]
        for (c, name) in classes.enumerated() {
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %7d", m.support(c)) + "  " + pct(m.recall[c])
                         + "  " + pct(m.precision[c]) + "   " + m.counts[c].map { String(format: "%5d ", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
