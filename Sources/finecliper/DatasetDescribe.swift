import ArgumentParser
import Datasets
import Face
import Foundation
import TensorCore

/// `finecliper dataset describe --data DIR`: descriptions.jsonl from each clip's landmarks by the
/// motion describer, so that a model is trained on the same kind of text it is given for any
/// video at prediction time (the generator's own descriptions are worded from its action units).
struct DatasetDescribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Write DIR/descriptions.jsonl from DIR/landmarks/<id>.csv with the motion describer.",
        discussion: "Clips without a landmarks file (or without a frame with 68 points) are listed and left out. The old file, if any, is replaced atomically.")

    @Option(name: .long, help: "Dataset root holding landmarks/<id>.csv (as finecliper synth writes them).")
    var data: String

    func run() throws {
        let folder = data + "/landmarks"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw CommandError("\(folder): no landmarks folder", kind: .missingInput)
        }
        var lines: [String] = [], skipped: [String] = []
        for name in names.sorted() where name.hasSuffix(".csv") {
            let id = String(name.dropLast(4))
            let path = folder + "/" + name
            let table = try LandmarksFile(try String(contentsOfFile: path, encoding: .utf8), path: path)
            let track = (table.points.keys.max().map { 0...$0 } ?? 0...(-1)).map { table.points[$0] ?? [] }
            guard track.contains(where: { $0.count == 68 }) else { skipped.append(id); continue }
            let object = ["id": id, "description": MotionDescriber.describe(track)]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        guard !lines.isEmpty else { throw CommandError("\(folder): no landmarks to describe", kind: .badData) }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: data + "/descriptions.jsonl")
        print("\(lines.count) descriptions in \(data)/descriptions.jsonl" + (skipped.isEmpty ? "" : "; \(skipped.count) clips without landmarks left out"))
    }
}
