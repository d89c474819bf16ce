import Datasets
import Foundation
import Media

/// A clip as front ends list it: plain values only.
public struct ClipEntry: Sendable, Equatable {
    public var id: String
    public var path: String
    public var label: String?
    public var frames: Int?
    public var description: String?
    /// Why the clip cannot be opened, once that is known.
    public var error: String?
}

/// The clips a session browses: a dataset split, or loose videos and frame folders.
public struct ClipCatalog: Sendable {
    public var title: String
    public var classes: [String]
    public var clips: [ClipEntry]
    /// The rate frame folders play at (they carry none of their own).
    public var folderFrameRate: Double = 25

    /// Loose clips (videos, images or frame folders); a folder argument that holds videos lists them.
    public static func loose(_ paths: [String]) -> ClipCatalog {
        var clips: [ClipEntry] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                clips.append(ClipEntry(id: (p as NSString).lastPathComponent, path: p, error: "no such file or directory"))
                continue
            }
            let videos = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [])
                .filter { ["mp4", "mov", "avi", "mkv", "webm"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted() : []
            if isDir.boolValue && !videos.isEmpty {
                clips += videos.map { ClipEntry(id: ($0 as NSString).deletingPathExtension, path: p + "/" + $0) }
            } else {
                clips.append(ClipEntry(id: ((p as NSString).lastPathComponent as NSString).deletingPathExtension, path: p))
            }
        }
        return ClipCatalog(title: "clips", classes: [], clips: clips)
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
        let clips = records.map {
            ClipEntry(id: $0.id, path: $0.path, label: d.classes[$0.label], frames: $0.declaredFrames, description: descriptions?[$0.id])
        }
        return ClipCatalog(title: "\(d.name)" + (d.fold.map { " fold \($0)" } ?? "") + " \(split)", classes: d.classes, clips: clips)
    }

    /// Clips whose id, label or description contains the filter; `class:NAME` matches the label.
    public func filtered(_ query: String) -> [Int] {
        let q = query.trimmingCharacters(in: .whitespaces).lowercased()
        guard !q.isEmpty else { return Array(clips.indices) }
        if q.hasPrefix("class:") {
            let name = String(q.dropFirst(6))
            return clips.indices.filter { clips[$0].label?.lowercased().hasPrefix(name) ?? false }
        }
        return clips.indices.filter { c in
            [clips[c].id, clips[c].label ?? "", clips[c].description ?? ""].contains { $0.lowercased().contains(q) }
        }
    }

    /// Orders for the browser's `s` key.
    public enum SortOrder: String, CaseIterable, Sendable {
        case original = "file order", id = "id", label = "label", frames = "frames"

        public var next: SortOrder { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }
    }

    /// `indices` in the given order (stable for ties).
    public func sorted(_ indices: [Int], by order: SortOrder) -> [Int] {
        switch order {
        case .original: return indices
        case .id: return indices.sorted { (clips[$0].id, $0) < (clips[$1].id, $1) }
        case .label: return indices.sorted { (clips[$0].label ?? "", $0) < (clips[$1].label ?? "", $1) }
        case .frames: return indices.sorted { (clips[$0].frames ?? 0, $0) < (clips[$1].frames ?? 0, $1) }
        }
    }

    /// Clips per class, for the header.
    public var classCounts: [(String, Int)] {
        classes.map { name in (name, clips.filter { $0.label == name }.count) }
    }
}
