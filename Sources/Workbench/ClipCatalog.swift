import Datasets
import Foundation
import Media
import TensorCore

/// A clip as front ends list it: plain values only.
public struct ClipEntry: Sendable, Equatable {
    public var id: String
    public var path: String
    public var label: String?
    /// The label's index in the dataset's class list (the order models are trained in).
    public var labelIndex: Int?
    public var frames: Int?
    public var description: String?
    /// Why the clip cannot be opened, once that is known.
    public var error: String?
    /// Duration, format and size from a `ClipScan` (loose clips), once it has looked.
    public var facts: ClipFacts?
    /// A landmarks CSV of ground truth (a generated dataset's `landmarks/<id>.csv`), drawn beside
    /// the detected points.
    public var truthLandmarks: String?
}

/// The clips a session browses: a dataset split, or loose videos and frame folders.
public struct ClipCatalog: Sendable {
    public var title: String
    public var classes: [String]
    public var clips: [ClipEntry]
    /// The rate frame folders play at (they carry none of their own).
    public var folderFrameRate: Double = 25
    /// Loose videos and folders rather than a dataset: the browser scans them for their facts.
    public var isLoose = false

    /// Takes a scan's results: facts, frame counts, and a failure for a clip that cannot be
    /// opened. Returns "id: reason" for each clip newly marked as failed.
    @discardableResult
    public mutating func apply(_ results: [(index: Int, result: Result<ClipFacts, ClipScan.MediaFailure>)]) -> [String] {
        var failed: [String] = []
        for (i, r) in results where clips.indices.contains(i) {
            switch r {
            case let .success(f): clips[i].facts = f; clips[i].frames = f.frames
            case let .failure(e) where clips[i].error == nil:
                clips[i].error = e.message
                failed.append("\(clips[i].id): \(e.message)")
            case .failure: break
            }
        }
        return failed
    }

    /// Loose clips (videos, images or frame folders); a folder argument that holds videos lists them.
    public static func loose(_ paths: [String]) -> ClipCatalog {
        var clips: [ClipEntry] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                clips.append(ClipEntry(id: PathText.lastComponent(p), path: p, error: "no such file or directory"))
                continue
            }
            let videos = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [])
                .filter { ["mp4", "mov", "avi", "mkv", "webm"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted() : []
            if isDir.boolValue && !videos.isEmpty {
                clips += videos.map { ClipEntry(id: PathText.deletingExtension($0), path: p + "/" + $0) }
            } else {
                clips.append(ClipEntry(id: PathText.stem(p), path: p))
            }
        }
        var catalog = ClipCatalog(title: "clips", classes: [], clips: clips)
        catalog.isLoose = true
        return catalog
    }

    /// A dataset's split ("all" for every split) through the datasets layer, with descriptions when
    /// a store is given.
    public static func dataset(root: String, format: DatasetFormat?, fold: Int?, split: String = "test",
                               descriptions: DescriptionStore? = nil) throws -> ClipCatalog {
        guard let format = format ?? DatasetFormat.detect(root: root) else { throw DatasetError.unknownFormat(path: root) }
        let d = try format.open(root: root, fold: fold, skipBadLines: true)
        guard split == "all" || d.splits[split] != nil else {
            throw DatasetError.missing(path: root, what: "a \(split) split (this dataset has \(d.splits.keys.sorted().joined(separator: ", ")))")
        }
        let records = split == "all" ? ["train", "test"].flatMap { d.splits[$0] ?? [] } : d.splits[split]!
        let clips = records.map { r -> ClipEntry in
            var e = ClipEntry(id: r.id, path: r.path, label: d.classes[r.label], labelIndex: r.label, frames: r.declaredFrames, description: descriptions?[r.id])
            let truth = d.root + "/landmarks/" + r.id + ".csv"
            if FileManager.default.fileExists(atPath: truth) { e.truthLandmarks = truth }
            return e
        }
        return ClipCatalog(title: "\(d.name)" + (d.fold.map { " fold \($0)" } ?? "") + " \(split)", classes: d.classes, clips: clips)
    }

    /// Clips matching every word of the filter: `class:NAME` or `true:NAME` (the label starts
    /// with NAME), `pred:NAME` (the prediction does), `wrong` / `right` (the verdict against the
    /// label), any other word is looked for in the id, label and description.
    public func filtered(_ query: String, predictions: [String: ClipPrediction] = [:]) -> [Int] {
        let terms = query.lowercased().split(separator: " ").map(String.init)
        guard !terms.isEmpty else { return Array(clips.indices) }
        return clips.indices.filter { c in
            let clip = clips[c], p = predictions[clip.id]
            let predicted = p.map { $0.classes[$0.prediction].lowercased() }
            return terms.allSatisfy { t in
                if let name = t.removingPrefix("class:") ?? t.removingPrefix("true:") {
                    // The dataset's name ("Happy") or the model's for the same class ("happiness").
                    let modelName = p.flatMap { $0.truth >= 0 && $0.truth < $0.classes.count ? $0.classes[$0.truth].lowercased() : nil }
                    return (clip.label?.lowercased().hasPrefix(name) ?? false) || (modelName?.hasPrefix(name) ?? false)
                }
                if let name = t.removingPrefix("pred:") { return predicted?.hasPrefix(name) ?? false }
                if t == "wrong" || t == "right" {
                    guard let p, p.truth >= 0 else { return false }
                    return p.correct == (t == "right")
                }
                return [clip.id, clip.label ?? "", clip.description ?? ""].contains { $0.lowercased().contains(t) }
            }
        }
    }

    /// Orders for the browser's `s` key: the last two need predictions (clips without come last).
    public enum SortOrder: String, CaseIterable, Sendable {
        case original = "file order", id = "id", label = "label", frames = "frames"
        case confidence = "confidence (high first)", margin = "PN margin (small first)"

        public var next: SortOrder { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }
    }

    /// `indices` in the given order (stable for ties).
    public func sorted(_ indices: [Int], by order: SortOrder, predictions: [String: ClipPrediction] = [:]) -> [Int] {
        func key(_ i: Int) -> Double {
            guard let p = predictions[clips[i].id] else { return .infinity }
            return order == .confidence ? -Double(p.probabilities[p.prediction]) : Double(p.margins[p.prediction])
        }
        switch order {
        case .original: return indices
        case .id: return indices.sorted { (clips[$0].id, $0) < (clips[$1].id, $1) }
        case .label: return indices.sorted { (clips[$0].label ?? "", $0) < (clips[$1].label ?? "", $1) }
        case .frames: return indices.sorted { (clips[$0].frames ?? 0, $0) < (clips[$1].frames ?? 0, $1) }
        case .confidence, .margin: return indices.sorted { (key($0), $0) < (key($1), $1) }
        }
    }

    /// Clips per class, for the header.
    public var classCounts: [(String, Int)] {
        classes.map { name in (name, clips.filter { $0.label == name }.count) }
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it.
    func removingPrefix(_ prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
}
