import Foundation
import Media

/// What `finecliper dataset info` reports: clips per split and class, frame-count statistics
/// measured by opening every clip, the clips that cannot be read, and clips whose annotation
/// disagrees with the frames actually present (a known pitfall of DFEW's frame folders).
public struct DatasetSummary: Codable, Sendable {
    public struct FrameStats: Codable, Sendable, Equatable {
        public var min: Int, max: Int, median: Int
        public var mean: Double
    }

    public struct Problem: Codable, Sendable, Equatable {
        public var id: String
        public var path: String
        public var reason: String
    }

    public struct Split: Codable, Sendable {
        public var name: String
        public var clips: Int
        public var perClass: [Int]
        public var frames: FrameStats?
        public var unreadable: [Problem]
        /// Clips with frames that do not decode (`verify` only), each listing the frames.
        public var badFrames: [Problem] = []
        /// Clips whose declared frame count differs from what is on disk.
        public var frameCountMismatches: [Problem]
    }

    public var dataset: String
    public var root: String
    public var fold: Int?
    public var classes: [String]
    public var splits: [Split]
    public var skippedLines: Int

    /// Opens every clip (a directory listing for frame folders, a packet scan for videos); with
    /// `verify`, also decodes every frame (in chunks, so long videos stay in bounded memory) and
    /// lists the frames that fail. `progress(done, total)` is called after each clip.
    public static func compute(_ d: DatasetSplits, openClips: Bool = true, verify: Bool = false,
                               progress: (Int, Int) -> Void = { _, _ in }) -> DatasetSummary {
        let total = d.splits.values.reduce(0) { $0 + $1.count }
        var done = 0
        var splits: [Split] = []
        for name in d.splits.keys.sorted(by: splitOrder) {
            let clips = d.splits[name]!
            var perClass = [Int](repeating: 0, count: d.classes.count)
            var counts: [Int] = [], unreadable: [Problem] = [], mismatches: [Problem] = [], badFrames: [Problem] = []
            for c in clips {
                perClass[c.label] += 1
                if openClips {
                    do {
                        let source = try openFrameSource(c.path)
                        let n = source.frameCount
                        counts.append(n)
                        if verify {
                            var failed: [Int] = []
                            for start in stride(from: 0, to: n, by: 64) {
                                failed += try source.frames(at: Array(start..<min(n, start + 64)), size: nil).failed
                            }
                            if !failed.isEmpty {
                                let list = failed.prefix(10).map(String.init).joined(separator: ", ") + (failed.count > 10 ? ", …" : "")
                                badFrames.append(Problem(id: c.id, path: c.path, reason: "\(failed.count) of \(n) frames do not decode: \(list)"))
                            }
                        }
                        if let declared = c.declaredFrames, declared != n {
                            mismatches.append(Problem(id: c.id, path: c.path, reason: "annotation says \(declared) frames, found \(n)"))
                        }
                    } catch {
                        unreadable.append(Problem(id: c.id, path: c.path, reason: "\(error)"))
                    }
                } else if let n = c.declaredFrames {
                    counts.append(n)
                }
                done += 1
                progress(done, total)
            }
            var split = Split(name: name, clips: clips.count, perClass: perClass, frames: stats(counts),
                              unreadable: unreadable, frameCountMismatches: mismatches)
            split.badFrames = badFrames
            splits.append(split)
        }
        return DatasetSummary(dataset: d.name, root: d.root, fold: d.fold, classes: d.classes, splits: splits, skippedLines: d.skippedLines)
    }

    /// train before test, others after, alphabetically.
    static func splitOrder(_ a: String, _ b: String) -> Bool {
        let rank = ["train": 0, "test": 1]
        return (rank[a] ?? 2, a) < (rank[b] ?? 2, b)
    }

    static func stats(_ counts: [Int]) -> FrameStats? {
        guard !counts.isEmpty else { return nil }
        let sorted = counts.sorted()
        return FrameStats(min: sorted.first!, max: sorted.last!, median: sorted[sorted.count / 2],
                          mean: Double(sorted.reduce(0, +)) / Double(sorted.count))
    }

    /// A plain-text table for the terminal.
    public func table() -> String {
        var out = "dataset \(dataset)" + (fold.map { ", fold \($0)" } ?? "") + "  (\(root))\n"
        let nameWidth = max(14, classes.map(\.count).max() ?? 0)
        let header = "class".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + splits.map { $0.name.leftPadded(8) }.joined() + "total".leftPadded(8)
        out += header + "\n" + String(repeating: "─", count: header.count) + "\n"
        for (i, c) in classes.enumerated() {
            let n = splits.map { $0.perClass[i] }
            out += c.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + n.map { String($0).leftPadded(8) }.joined()
                + String(n.reduce(0, +)).leftPadded(8) + "\n"
        }
        out += "all".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + splits.map { String($0.clips).leftPadded(8) }.joined()
            + String(splits.reduce(0) { $0 + $1.clips }).leftPadded(8) + "\n\n"
        for s in splits {
            if let f = s.frames {
                out += "\(s.name): frames per clip min \(f.min), median \(f.median), mean \(String(format: "%.1f", f.mean)), max \(f.max)\n"
            }
            if !s.unreadable.isEmpty {
                out += "\(s.name): \(s.unreadable.count) unreadable clip(s)\n"
                for p in s.unreadable.prefix(10) { out += "  \(p.id): \(p.reason)\n" }
                if s.unreadable.count > 10 { out += "  … (--json lists all)\n" }
            }
            if !s.badFrames.isEmpty {
                out += "\(s.name): \(s.badFrames.count) clip(s) with frames that do not decode\n"
                for p in s.badFrames.prefix(10) { out += "  \(p.id): \(p.reason)\n" }
            }
            if !s.frameCountMismatches.isEmpty {
                out += "\(s.name): \(s.frameCountMismatches.count) clip(s) whose annotated frame count differs from the files\n"
                for p in s.frameCountMismatches.prefix(5) { out += "  \(p.id): \(p.reason)\n" }
            }
        }
        if skippedLines > 0 { out += "\(skippedLines) malformed annotation line(s) skipped\n" }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
