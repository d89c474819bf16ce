import Foundation
import TensorCore

/// MAFW's release: `Train & Test Set/single/no_caption/set_N/{train,test}.txt` with lines
/// `03747.mp4 anger` (official class words, mapped to DFER-CLIP's order by name), face frames in
/// `data/faces/<id>/` where present, else the videos in `data/clips/`.
enum MAFWLayout {
    static func open(root: String, fold: Int, skipBadLines: Bool) throws -> DatasetSplits {
        guard (1...5).contains(fold) else { throw DatasetError.badFold(fold: fold, available: 1...5) }
        var splits: [String: [ClipRecord]] = [:]
        var skipped = 0
        for split in ["train", "test"] {
            let file = root + "/Train & Test Set/single/no_caption/set_\(fold)/\(split).txt"
            let r = try LayoutFiles.parseLines(file, text: try LayoutFiles.text(file), skipBadLines: skipBadLines) { line, n in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard fields.count >= 2 else {
                    throw DatasetError.badLine(file: file, line: n, reason: "expected \"NNNNN.mp4 class\", found: \(line.prefix(80))")
                }
                guard let label = EmotionClasses.index(of: fields[1], in: EmotionClasses.eleven) else {
                    throw DatasetError.badLine(file: file, line: n, reason: "unknown class \"\(fields[1])\"")
                }
                let id = PathText.deletingExtension(fields[0])
                let faces = root + "/data/faces/" + id, video = root + "/data/clips/" + fields[0]
                let path = LayoutFiles.isDirectory(faces) || !LayoutFiles.exists(video) ? faces : video
                return ClipRecord(id: id, path: path, declaredFrames: nil, label: label)
            }
            splits[split] = r.clips
            skipped += r.skipped
        }
        return DatasetSplits(name: "MAFW", root: root, fold: fold, classes: EmotionClasses.eleven, splits: splits, skippedLines: skipped)
    }
}
