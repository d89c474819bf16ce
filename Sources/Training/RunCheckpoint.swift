import Foundation
import TensorCore

/// What a run's checkpoint holds besides the weights: its configuration and state as JSON in the
/// metadata, the optimizer's tensors under "optimizer." and the weights' average under
/// "trainer.average.". Shared by the trainer and the pretrainer so that both refuse the same
/// broken files with the same words.
enum RunCheckpoint {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Opens `path` and decodes its configuration and state; `kind` names the checkpoint in errors.
    static func open<C: Decodable, S: Decodable>(_ path: String, configKey: String, stateKey: String, kind: String) throws -> (file: SafeTensorsFile, config: C, state: S) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch {
            throw TrainError.checkpoint(path: path, reason: "cannot be read (\(error)); move it away to start the run again")
        }
        guard let configJSON = file.metadata[configKey], let stateJSON = file.metadata[stateKey],
              let config = try? JSONDecoder().decode(C.self, from: Data(configJSON.utf8)),
              let state = try? JSONDecoder().decode(S.self, from: Data(stateJSON.utf8)) else {
            throw TrainError.checkpoint(path: path, reason: "not a \(kind) checkpoint (no configuration or state in its metadata)")
        }
        return (file, config, state)
    }

    /// The optimizer tensors of a checkpoint.
    static func optimizerTensors(_ optimizer: Optimizer) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: optimizer.state().map { ("optimizer." + $0.key, $0.value) })
    }

    /// Restores the optimizer from `file`; a state that does not fit its parameters is refused.
    static func restore(_ optimizer: Optimizer, from file: SafeTensorsFile) throws {
        var stored: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix("optimizer.") { stored[String(name.dropFirst("optimizer.".count))] = try file.tensor(name) }
        try optimizer.loadState(stored)
        let restored = Set(optimizer.state().keys), kept = Set(stored.keys)
        guard restored == kept else {
            let unexpected = kept.subtracting(restored).sorted(), missing = restored.subtracting(kept).sorted()
            throw TrainError.checkpoint(path: file.path, reason: "optimizer state does not fit the model: unexpected \(unexpected.prefix(3)), missing \(missing.prefix(3))")
        }
    }

    static let averagePrefix = "trainer.average."

    /// The weights' average of a checkpoint (none without one).
    static func averageTensors(_ average: WeightAverage?) -> [String: Tensor] {
        guard let average else { return [:] }
        return Dictionary(uniqueKeysWithValues: average.state().map { (averagePrefix + $0.key, $0.value) })
    }

    /// Restores the weights' average from `file`; a checkpoint without a fitting one is refused.
    static func restore(_ average: WeightAverage, from file: SafeTensorsFile) throws {
        var stored: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix(averagePrefix) { stored[String(name.dropFirst(averagePrefix.count))] = try file.tensor(name) }
        do { try average.loadState(stored) } catch {
            throw TrainError.checkpoint(path: file.path, reason: "\(error)")
        }
    }
}
