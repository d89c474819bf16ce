import Datasets
import Foundation
import Training

public typealias RunStarted = Training.RunStarted
public typealias StepRecord = Training.StepRecord
public typealias EpochRecord = Training.EpochRecord
public typealias CheckpointRecord = Training.CheckpointRecord
public typealias RunAlert = Training.Alert
public typealias RunFinished = Training.RunFinished

/// What a training run's folder says so far, as plain values: the configuration, every step and
/// epoch record, checkpoints, alerts, the end when there is one, and whether a process still
/// trains into it.
public struct RunStatus: Sendable {
    public var folder: String
    public var config: RunStarted?
    public var started: Date?
    public var lastEvent: Date?
    public var steps: [StepRecord] = []
    /// When each step record was written (for the ETA).
    public var stepTimes: [Date] = []
    public var epochs: [EpochRecord] = []
    public var checkpoints: [CheckpointRecord] = []
    public var alerts: [RunAlert] = []
    public var finished: RunFinished?
    public var malformedLines = 0
    /// The process that holds the run's lock, while it lives.
    public var pid: Int32?

    public var isRunning: Bool { pid != nil && finished == nil }
    public var totalSteps: Int? { config.map { $0.stepsPerEpoch * $0.config.epochs } }
    public var totalEpochs: Int? { config?.config.epochs }
    public var step: Int { steps.last?.step ?? epochs.last?.step ?? 0 }
    public var epoch: Int { steps.last?.epoch ?? epochs.last?.epoch ?? 0 }
    public var bestEpoch: EpochRecord? { epochs.max { $0.uar < $1.uar } }

    /// Seconds from the first event to the last (or to now, while running).
    public func elapsed(now: Date = Date()) -> TimeInterval {
        guard let started else { return 0 }
        return (isRunning ? now : (lastEvent ?? now)).timeIntervalSince(started)
    }

    /// Seconds left at the pace of the last (up to) 20 steps; nil before two steps or once done.
    public var eta: TimeInterval? {
        guard isRunning, let total = totalSteps, stepTimes.count >= 2 else { return nil }
        let k = min(20, stepTimes.count - 1)
        let a = steps[steps.count - 1 - k], b = steps[steps.count - 1]
        let span = stepTimes[stepTimes.count - 1].timeIntervalSince(stepTimes[stepTimes.count - 1 - k])
        guard b.step > a.step, span > 0 else { return nil }
        return Double(total - b.step) * span / Double(b.step - a.step)
    }
}

/// Tails a run's `events.jsonl`: each `refresh` reads only what was appended since the last one
/// (a torn last line waits for its end), so a front end can poll it cheaply several times a
/// second. Works the same on a finished run, one started from the command line or a folder
/// copied from another machine.
public final class RunMonitor {
    public private(set) var status: RunStatus
    var offset: UInt64 = 0
    var pending = Data()
    /// A child this process started (reaped here so it does not linger as a zombie).
    let child: Int32?

    public init(folder: String, child: Int32? = nil) {
        status = RunStatus(folder: folder)
        self.child = child
        refresh()
    }

    public var eventsPath: String { status.folder + "/events.jsonl" }

    /// Reads new events and the run's process state; returns whether anything changed.
    @discardableResult
    public func refresh() -> Bool {
        var changed = false
        var pid = Self.trainingProcess(folder: status.folder)
        // Until the child has taken the run's lock, the child itself is the run's process.
        if let child { var s: Int32 = 0; if waitpid(child, &s, WNOHANG) == 0 { pid = pid ?? child } }
        if pid != status.pid { status.pid = pid; changed = true }
        guard let handle = FileHandle(forReadingAtPath: eventsPath) else { return changed }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offset {   // replaced by a new run: start over
            let folder = status.folder
            status = RunStatus(folder: folder, pid: pid)
            offset = 0; pending = Data()
        }
        guard size > offset else { return changed }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.read(upToCount: Int(size - offset))) ?? Data()
        offset += UInt64(data.count)
        pending.append(data)
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return changed }
        let complete = pending[pending.startIndex...lastNewline]
        pending = Data(pending[(lastNewline + 1)...])
        for line in String(decoding: complete, as: UTF8.self).split(separator: "\n") {
            apply(line)
        }
        return true
    }

    func apply(_ line: Substring) {
        guard let (event, time) = try? TrainEvent.parseTimed(line) else { status.malformedLines += 1; return }
        if let time { status.started = status.started ?? time; status.lastEvent = time }
        switch event {
        case let .config(c)?: status.config = c; status.finished = nil
        case let .step(s)?: status.steps.append(s); status.stepTimes.append(time ?? Date())
        case let .epoch(e)?: status.epochs.removeAll { $0.epoch >= e.epoch }; status.epochs.append(e)
        case let .checkpoint(c)?: status.checkpoints.append(c)
        case let .alert(a)?: status.alerts.append(a)
        case let .done(d)?: status.finished = d
        case .pretrain?, nil: break
        }
    }

    /// The live process named in the run's lock, if it is a finecliper process.
    static func trainingProcess(folder: String) -> Int32? {
        guard let text = try? String(contentsOfFile: folder + "/.lock", encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 else { return nil }
        // A folder copied from another machine can name a pid that is something else here.
        if let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), !cmd.contains("finecliper") { return nil }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return nil }
        return pid
    }

    /// Asks the run's process to stop at its next safe point (it saves a checkpoint and logs "stopped").
    public func stop() -> Bool {
        guard let pid = status.pid else { return false }
        return kill(pid, SIGINT) == 0
    }
}

extension ClipCatalog {
    /// Every clip of the dataset a run trained on (its train, validation and test clips), with the
    /// dataset's descriptions, so a run's predictions can be followed to the clips.
    public static func of(run config: RunStarted) throws -> ClipCatalog {
        let c = config.config
        let descriptions = c.data + "/descriptions.jsonl"
        let store = FileManager.default.fileExists(atPath: descriptions) ? try? DescriptionStore(path: descriptions) : nil
        return try dataset(root: c.data, format: c.format.flatMap(DatasetFormat.init(rawValue:)), fold: c.fold, split: "all", descriptions: store)
    }
}
