import Foundation
import Testing
import TestSupport
@testable import Training

@Suite struct EventLogTests {
    let scratch = Scratch()

    @Test func roundTripAndATornLastLineAndUnknownKindsAreSkipped() throws {
        let path = scratch.path("events.jsonl")
        let log = try EventLog(path: path)
        let step = StepRecord(epoch: 1, step: 3, loss: 1.25, learningRates: ["adapters": 1e-3], gradientNorm: 0.5, clipsPerSecond: 12)
        let m = ConfusionMatrix(truth: [0, 1, 1], predictions: [0, 1, 0], classes: 2)
        try log.append(.step(step))
        try log.append(.epoch(EpochRecord(epoch: 1, step: 3, trainLoss: 1.5, metrics: m, seconds: 2)))
        try log.append(.alert(Alert(kind: "skipped-clip", message: "x: broken", step: 3)))
        // A newer writer's kind, then a line cut off by a kill.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"v":2,"kind":"histogram","histogram":{"bins":[1,2]}}"#.utf8) + Data("\n".utf8))
        try handle.write(contentsOf: Data(#"{"v":1,"kind":"step","step":{"epoch":1,"st"#.utf8))
        try handle.close()
        var contents = try EventLog.read(path)
        #expect(contents.events.count == 3 && contents.unknownKinds == 1 && contents.malformedLines == 1)
        #expect(contents.events[0] == .step(step))
        guard case let .epoch(e) = contents.events[1] else { Issue.record("not an epoch"); return }
        #expect(e.confusion == m && e.uar == m.uar && e.recall == [1, 0.5])
        // Reopening after the torn line ends it first, so the next event is whole.
        try EventLog(path: path).append(.step(step))
        contents = try EventLog.read(path)
        #expect(contents.events.count == 4 && contents.malformedLines == 1)
    }

    /// Bodies that are JSON but not objects (found by the runlogs fuzz target, which crashed the
    /// serializer) are malformed lines, like any other.
    @Test func eventBodiesThatAreNotObjectsAreMalformed() throws {
        for line in [#"{"kind":"step","step":5}"#, #"{"kind":"config","config":"x"}"#, #"{"kind":"done","done":null}"#] {
            #expect(throws: EventLogError.self) { try TrainEvent.parseTimed(Substring(line)) }
        }
        let path = scratch.path("fragments.jsonl")
        try Data((#"{"kind":"step","step":5}"# + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try EventLog.read(path).malformedLines == 1)
    }
}
