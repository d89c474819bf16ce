import Foundation

/// One line of a run's `events.jsonl`: `{"v": 1, "kind": "step", "time": …, "step": {…}}`. The
/// trainer appends them; the workbench and `eval` read them with the same type. Readers skip
/// kinds they do not know (a newer writer) and a torn last line (a run killed mid-write).
public enum TrainEvent: Equatable, Sendable {
    case config(RunStarted)
    /// A contrastive pretraining run's configuration (`finecliper pretrain`).
    case pretrain(PretrainStarted)
    case step(StepRecord)
    case epoch(EpochRecord)
    case checkpoint(CheckpointRecord)
    case alert(Alert)
    case done(RunFinished)

    public static let schemaVersion = 1

    public var kind: String {
        switch self {
        case .config: return "config"
        case .pretrain: return "pretrain"
        case .step: return "step"
        case .epoch: return "epoch"
        case .checkpoint: return "checkpoint"
        case .alert: return "alert"
        case .done: return "done"
        }
    }
}

/// The run's resolved configuration and data, written first (and again after each resume).
public struct RunStarted: Codable, Equatable, Sendable {
    public var config: TrainConfig
    public var classes: [String]
    public var trainClips: Int
    public var validationClips: Int
    /// How the reported model is chosen: "validation" (split carved from train) or "test" (DFER-CLIP's).
    public var selection: String
    public var stepsPerEpoch: Int
    public var resumedFromStep: Int?
    public var ranks: Int

    public init(config: TrainConfig, classes: [String], trainClips: Int, validationClips: Int, selection: String,
                stepsPerEpoch: Int, resumedFromStep: Int? = nil, ranks: Int = 1) {
        self.config = config; self.classes = classes; self.trainClips = trainClips; self.validationClips = validationClips
        self.selection = selection; self.stepsPerEpoch = stepsPerEpoch; self.resumedFromStep = resumedFromStep; self.ranks = ranks
    }
}

/// A pretraining run's configuration, the size of its model and where it resumed.
public struct PretrainStarted: Codable, Equatable, Sendable {
    public var config: PretrainConfig
    public var parameters: Int
    public var resumedFromStep: Int?

    public init(config: PretrainConfig, parameters: Int, resumedFromStep: Int?) {
        self.config = config; self.parameters = parameters; self.resumedFromStep = resumedFromStep
    }
}

public struct StepRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Global step, counted from 1.
    public var step: Int
    public var loss: Double
    /// Learning rate of each parameter group by name.
    public var learningRates: [String: Double]
    public var gradientNorm: Double
    public var clipsPerSecond: Double
    /// Each rank's own clips/s in a distributed run.
    public var rankClipsPerSecond: [Double]?

    public init(epoch: Int, step: Int, loss: Double, learningRates: [String: Double], gradientNorm: Double, clipsPerSecond: Double) {
        self.epoch = epoch; self.step = step; self.loss = loss; self.learningRates = learningRates
        self.gradientNorm = gradientNorm; self.clipsPerSecond = clipsPerSecond
    }
}

public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var step: Int
    public var trainLoss: Double
    public var uar: Double
    public var war: Double
    public var recall: [Double?]
    public var confusion: ConfusionMatrix
    public var seconds: Double

    public init(epoch: Int, step: Int, trainLoss: Double, metrics: ConfusionMatrix, seconds: Double) {
        self.epoch = epoch; self.step = step; self.trainLoss = trainLoss; self.uar = metrics.uar; self.war = metrics.war
        self.recall = metrics.recall; self.confusion = metrics; self.seconds = seconds
    }
}

public struct CheckpointRecord: Codable, Equatable, Sendable {
    public var path: String
    public var epoch: Int
    public var step: Int
    public var best: Bool

    public init(path: String, epoch: Int, step: Int, best: Bool) {
        self.path = path; self.epoch = epoch; self.step = step; self.best = best
    }
}

public struct Alert: Codable, Equatable, Sendable {
    /// "nan", "loss-spike" or "skipped-clip".
    public var kind: String
    public var message: String
    public var step: Int

    public init(kind: String, message: String, step: Int) {
        self.kind = kind; self.message = message; self.step = step
    }
}

public struct RunFinished: Codable, Equatable, Sendable {
    /// "finished", "stopped" (a signal) or "failed" (with the reason in `message`).
    public var status: String
    public var epochs: Int
    public var step: Int
    public var bestEpoch: Int?
    public var bestUAR: Double?
    public var bestWAR: Double?
    public var message: String?

    public init(status: String, epochs: Int, step: Int, bestEpoch: Int?, bestUAR: Double?, bestWAR: Double?, message: String? = nil) {
        self.status = status; self.epochs = epochs; self.step = step; self.bestEpoch = bestEpoch
        self.bestUAR = bestUAR; self.bestWAR = bestWAR; self.message = message
    }
}

extension TrainEvent {
    /// The JSON line (without its newline).
    public func line(time: Date = Date()) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func payload<T: Encodable>(_ value: T) throws -> Any { try JSONSerialization.jsonObject(with: encoder.encode(value)) }
        let body: Any
        switch self {
        case let .config(x): body = try payload(x)
        case let .pretrain(x): body = try payload(x)
        case let .step(x): body = try payload(x)
        case let .epoch(x): body = try payload(x)
        case let .checkpoint(x): body = try payload(x)
        case let .alert(x): body = try payload(x)
        case let .done(x): body = try payload(x)
        }
        let object: [String: Any] = ["v": Self.schemaVersion, "kind": kind, "time": time.timeIntervalSince1970, kind: body]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses one line; nil for a kind this version does not know. Throws on a line that is not
    /// a complete event (torn, or not JSON).
    public static func parse(_ line: Substring) throws -> TrainEvent? { try parseTimed(line).event }

    /// Parses one line with the time it was written (nil when the line carries none).
    public static func parseTimed(_ line: Substring) throws -> (event: TrainEvent?, time: Date?) {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let kind = object["kind"] as? String, let body = object[kind],
              // A body that is not an object or array ("step": 5) is malformed, not a crash in the serializer.
              JSONSerialization.isValidJSONObject(body) else {
            throw EventLogError.malformedLine(String(line.prefix(80)))
        }
        let time = (object["time"] as? Double).map(Date.init(timeIntervalSince1970:))
        let data = try JSONSerialization.data(withJSONObject: body)
        let d = JSONDecoder()
        switch kind {
        case "config": return (.config(try d.decode(RunStarted.self, from: data)), time)
        case "pretrain": return (.pretrain(try d.decode(PretrainStarted.self, from: data)), time)
        case "step": return (.step(try d.decode(StepRecord.self, from: data)), time)
        case "epoch": return (.epoch(try d.decode(EpochRecord.self, from: data)), time)
        case "checkpoint": return (.checkpoint(try d.decode(CheckpointRecord.self, from: data)), time)
        case "alert": return (.alert(try d.decode(Alert.self, from: data)), time)
        case "done": return (.done(try d.decode(RunFinished.self, from: data)), time)
        default: return (nil, time)
        }
    }
}

public enum EventLogError: Error, CustomStringConvertible {
    case malformedLine(String)
    public var description: String {
        switch self { case let .malformedLine(l): return "not an event line: \(l)" }
    }
}
