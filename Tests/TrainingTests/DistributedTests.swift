import Foundation
import Testing
import TensorCore
import TestSupport
import Training

/// Data-parallel training, evaluation and feature extraction with two ranks under Open MPI's
/// `mpirun` on this machine (loopback and shared memory only), against the same commands in one
/// process.
@Suite(.serialized) struct DistributedTests {
    static let scratch = Scratch()
    /// 35 generated clips (7 classes × 4 train + 1 test), 8 frames of 64 px.
    static let data: String = {
        let dir = scratch.path("syn")
        let r = try! FinecliperBinary.run(["synth", "-o", dir, "--train-per-class", "4", "--test-per-class", "1", "--frames", "8", "--size", "64"])
        precondition(r.status == 0, r.output)
        return dir
    }()

    /// Runs `finecliper ARGS` under `mpirun -np N` (N = 1: plainly), keeping MPI on loopback and
    /// shared memory. Returns the exit status and output; `started` gets the launcher's process.
    @discardableResult
    func launch(_ ranks: Int, _ args: [String], cache: String? = nil, started: ((Process) -> Void)? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        if ranks > 1 {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
            p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), FinecliperBinary.path] + args
        } else {
            p.executableURL = URL(fileURLWithPath: FinecliperBinary.path)
            p.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        env["OMPI_MCA_btl"] = "self,vader"
        env["OMPI_MCA_btl_tcp_if_include"] = "lo"
        env["OMPI_MCA_oob_tcp_if_include"] = "lo"
        env["XDG_CACHE_HOME"] = Self.scratch.path(cache ?? "cache-\(ranks)")
        p.environment = env
        let out = Self.scratch.path("out-" + UUID().uuidString)
        FileManager.default.createFile(atPath: out, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        started?(p)
        p.waitUntilExit()
        try handle.close()
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    func train(_ ranks: Int, mode: String, epochs: Int, batch: Int, out: String, extra: [String] = []) throws -> (status: Int32, output: String) {
        try launch(ranks, ["train", "--data", Self.data, "--model", "tiny", "--mode", mode, "--epochs", String(epochs), "--batch", String(batch),
                           "--frames", "8", "--out", out] + extra)
    }

    func steps(_ run: String) throws -> [StepRecord] {
        try EventLog.read(run + "/events.jsonl").events.compactMap { if case let .step(s) = $0 { return s } else { return nil } }
    }

    /// The largest difference of any weight between two checkpoints, relative to its tensor's largest magnitude.
    func weightDifference(_ a: String, _ b: String) throws -> Float {
        let (x, y) = (try SafeTensorsFile(path: a), try SafeTensorsFile(path: b))
        #expect(x.names == y.names)
        var worst: Float = 0
        for name in x.names where !name.hasPrefix("optimizer.") {
            let (u, v) = (try x.tensor(name).scalars, try y.tensor(name).scalars)
            let scale = max(u.map(abs).max() ?? 0, 1e-12)
            worst = max(worst, (zip(u, v).map { abs($0 - $1) }.max() ?? 0) / scale)
        }
        return worst
    }

    @Test(arguments: ["cached", "full"]) func twoRanksTrainLikeOneProcess(mode: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { Issue.record("Open MPI is not installed (scripts/setup installs it)"); return }
        let one = Self.scratch.path("one-\(mode)"), two = Self.scratch.path("two-\(mode)")
        let epochs = mode == "cached" ? 3 : 1
        let a = try train(1, mode: mode, epochs: epochs, batch: 8, out: one)
        let b = try train(2, mode: mode, epochs: epochs, batch: 8, out: two)
        #expect(a.status == 0 && b.status == 0, "\(a.output)\n\(b.output)")
        #expect(b.output.contains("data-parallel over 2 ranks"))
        let (x, y) = (try steps(one), try steps(two))
        #expect(x.count == y.count && x.count >= epochs)
        for (s, t) in zip(x, y) {
            // The same global batches: losses agree to float rounding (the shards sum in another order).
            #expect(abs(s.loss - t.loss) <= 1e-5 * abs(s.loss), "step \(s.step): \(s.loss) vs \(t.loss)")
            #expect(s.rankClipsPerSecond == nil && t.rankClipsPerSecond?.count == 2)
        }
        let config = try EventLog.read(two + "/events.jsonl").events.compactMap { if case let .config(c) = $0 { return c } else { return nil } }
        #expect(config.first?.ranks == 2)
        let difference = try weightDifference(one + "/checkpoints/last.safetensors", two + "/checkpoints/last.safetensors")
        print("\(mode): largest weight difference between 1 and 2 ranks after \(x.count) steps: \(difference)")
        // Rounding differences grow with the steps (6e-6 after 2 cached steps, 2e-4 after 6 when measured).
        #expect(difference < 1e-3)
        #expect(!FileManager.default.fileExists(atPath: two + "/.lock"), "rank 0 releases the run")
        // An error on one rank (rank 0 refuses a folder that holds a run) ends the whole job with its message.
        if mode == "cached" {
            let refused = try train(2, mode: mode, epochs: epochs, batch: 8, out: two)
            #expect(refused.status != 0 && refused.output.contains("rank 0 of 2:") && refused.output.contains("already holds a run"), "\(refused.output)")
        }
    }

    @Test func evalAndFeaturesSplitAcrossRanksEqualOneProcess() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { Issue.record("Open MPI is not installed"); return }
        let run = Self.scratch.path("eval-run")
        #expect(try train(1, mode: "cached", epochs: 1, batch: 8, out: run).status == 0)
        // A run started in one process continues on two ranks (resume does not depend on the rank count).
        let more = try launch(2, ["train", "--data", Self.data, "--model", "tiny", "--mode", "cached", "--epochs", "2", "--batch", "8",
                                  "--frames", "8", "--out", run, "--resume"], cache: "cache-1")
        #expect(more.status == 0 && more.output.contains("finished after 2 epochs"), "\(more.output)")
        let (p1, p2) = (Self.scratch.path("p1.jsonl"), Self.scratch.path("p2.jsonl"))
        let a = try launch(1, ["eval", "--run", run, "--split", "train", "--predictions", p1])
        let b = try launch(2, ["eval", "--run", run, "--split", "train", "--predictions", p2])
        #expect(a.status == 0 && b.status == 0, "\(b.output)")
        let (x, y) = (try String(contentsOfFile: p1, encoding: .utf8), try String(contentsOfFile: p2, encoding: .utf8))
        #expect(x == y && x.split(separator: "\n").count == 21, "the predictions file is whole and identical")
        #expect(b.output.contains("UAR") && b.output.components(separatedBy: "predictions:").count == 2, "rank 0 alone prints")

        let c = try launch(2, ["features", "--data", Self.data, "--model", "tiny", "--frames", "8"], cache: "features-2")
        #expect(c.status == 0 && c.output.contains("35 of 35 clips computed") && c.output.contains("by 2 ranks"), "\(c.output)")
        let d = try launch(1, ["features", "--data", Self.data, "--model", "tiny", "--frames", "8"], cache: "features-1")
        #expect(d.status == 0)
        func files(_ root: String) -> [String: Data] {
            let fm = FileManager.default
            let all = (fm.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".safetensors") }
            return Dictionary(uniqueKeysWithValues: all.map { ($0, fm.contents(atPath: root + "/" + $0)!) })
        }
        let (f1, f2) = (files(Self.scratch.path("features-1")), files(Self.scratch.path("features-2")))
        #expect(f1.count == 35 && f1 == f2, "the same cache files, byte for byte")
    }

    @Test func aKilledRankEndsTheJobAndResumeContinuesIt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { Issue.record("Open MPI is not installed"); return }
        let whole = Self.scratch.path("whole"), killed = Self.scratch.path("killed")
        #expect(try train(2, mode: "full", epochs: 3, batch: 2, out: whole).status == 0)
        // Rank 1 is killed once the second epoch has begun.
        let run = try launch(2, ["train", "--data", Self.data, "--model", "tiny", "--mode", "full", "--epochs", "3", "--batch", "2", "--frames", "8",
                                 "--out", killed + "-b"], started: { launcher in
            DispatchQueue.global().async {
                let log = killed + "-b/events.jsonl"
                let end = Date().addingTimeInterval(120)
                while Date() < end {
                    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    if text.contains("\"kind\":\"epoch\""), text.components(separatedBy: "\"kind\":\"step\"").count > 16 { break }
                    Thread.sleep(forTimeInterval: 0.005)
                }
                if let pid = Self.rank(1, of: launcher.processIdentifier) { kill(pid, SIGKILL) }
            }
        })
        #expect(run.status != 0, "the job ends when a rank dies:\n\(run.output)")
        let events = try EventLog.read(killed + "-b/events.jsonl").events
        #expect(!events.contains { if case .done = $0 { return true } else { return false } })
        #expect(try SafeTensorsFile(path: killed + "-b/checkpoints/last.safetensors").names.count > 0, "the last checkpoint is intact")
        // mpirun takes the other ranks down (SIGTERM, then SIGKILL); the rerun waits for rank 0 to be gone.
        let end = Date().addingTimeInterval(30)
        while let text = try? String(contentsOfFile: killed + "-b/.lock", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              kill(pid, 0) == 0, Date() < end { Thread.sleep(forTimeInterval: 0.1) }
        let resumed = try train(2, mode: "full", epochs: 3, batch: 2, out: killed + "-b", extra: ["--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try weightDifference(whole + "/checkpoints/last.safetensors", killed + "-b/checkpoints/last.safetensors") == 0,
                "resumed with the same ranks: the same weights as the run that was never killed")
    }

    /// The pid of rank `rank` among the launcher's children.
    static func rank(_ rank: Int, of launcher: Int32) -> Int32? {
        let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for p in procs.compactMap(Int32.init) {
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == launcher,
                  let env = FileManager.default.contents(atPath: "/proc/\(p)/environ") else { continue }
            if String(decoding: env, as: UTF8.self).split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=\(rank)") { return p }
        }
        return nil
    }
}
