import Foundation
import TensorCore

/// A folder of DFER-CLIP annotation lists (`DFEW_set_1_train.txt`, `FERV39K_test.txt`,
/// `MAFW_set_3_train.txt`, or any `*train*.txt` / `*test*.txt`), in the folder itself or in its
/// `annotation/` subfolder. The class list follows the file names (MAFW: 11 classes, else 7).
/// Absolute paths written on another machine are re-rooted: when a listed path does not exist,
/// its last one to four components are tried under the data root.
enum ListLayout {
    static func discover(root: String, fold: Int?) -> (train: String, test: String)? {
        for dir in [root, root + "/annotation"] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            let txt = names.filter { $0.lowercased().hasSuffix(".txt") }.sorted()
            func pick(_ split: String) -> String? {
                let candidates = txt.filter { $0.lowercased().contains(split) }
                if let fold { return candidates.first { $0.contains("set_\(fold)_") || $0.contains("set\(fold)") } }
                return candidates.first { $0.contains("set_1_") } ?? candidates.first
            }
            if let train = pick("train"), let test = pick("test") { return (dir + "/" + train, dir + "/" + test) }
        }
        return nil
    }

    static func open(root: String, fold: Int?, skipBadLines: Bool) throws -> DatasetSplits {
        guard let (train, test) = discover(root: root, fold: fold) else {
            throw DatasetError.missing(path: root, what: "annotation lists named *train*.txt and *test*.txt" + (fold.map { " for set_\($0)" } ?? ""))
        }
        let isMAFW = PathText.lastComponent(train).uppercased().hasPrefix("MAFW")
        let classes = isMAFW ? EmotionClasses.eleven : EmotionClasses.seven
        var splits: [String: [ClipRecord]] = [:], skipped = 0
        for (split, file) in [("train", train), ("test", test)] {
            let r = try AnnotationList.read(file, root: root, classCount: classes.count, skipBadLines: skipBadLines)
            splits[split] = r.clips.map { rebased($0, root: root) }
            skipped += r.skipped
        }
        let name = (PathText.lastComponent(train).components(separatedBy: "_").first ?? "list")
        return DatasetSplits(name: name, root: root, fold: fold, classes: classes, splits: splits, skippedLines: skipped)
    }

    static func rebased(_ clip: ClipRecord, root: String) -> ClipRecord {
        guard !LayoutFiles.exists(clip.path) else { return clip }
        let parts = clip.path.split(separator: "/").map(String.init)
        for k in 1...min(4, parts.count) {
            let candidate = root + "/" + parts.suffix(k).joined(separator: "/")
            if LayoutFiles.exists(candidate) {
                var c = clip
                c.path = candidate
                return c
            }
        }
        return clip
    }
}
