import Foundation

/// FERV39k's release: `4_setups/All_scenes/{train,test}_All.csv` with lines `Scene/Class/NNNN Class`
/// (no header), face-crop frame folders in `2_ClipsforFaceCrop/<Scene>/<Class>/<NNNN>/`, else the
/// videos `0_7_LabelClips/<Scene>/<Class>/<NNNN>.mp4`. Clip ids are the `Scene/Class/NNNN` paths,
/// since the numbers repeat across scenes.
enum FERV39kLayout {
    static func open(root: String, skipBadLines: Bool) throws -> DatasetSplits {
        var splits: [String: [ClipRecord]] = [:]
        var skipped = 0
        for split in ["train", "test"] {
            let file = root + "/4_setups/All_scenes/\(split)_All.csv"
            let r = try LayoutFiles.parseLines(file, text: try LayoutFiles.text(file), skipBadLines: skipBadLines) {
                try parse($0, file: file, line: $1, root: root)
            }
            splits[split] = r.clips
            skipped += r.skipped
        }
        return DatasetSplits(name: "FERV39k", root: root, fold: nil, classes: EmotionClasses.seven, splits: splits, skippedLines: skipped)
    }

    static func parse(_ line: String, file: String, line number: Int, root: String) throws -> ClipRecord {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        guard fields.count == 2 else {
            throw DatasetError.badLine(file: file, line: number, reason: "expected \"Scene/Class/NNNN Class\", found: \(line.prefix(80))")
        }
        guard let label = EmotionClasses.index(of: fields[1], in: EmotionClasses.seven) else {
            throw DatasetError.badLine(file: file, line: number, reason: "unknown class \"\(fields[1])\"")
        }
        let rel = fields[0].trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let frames = root + "/2_ClipsforFaceCrop/" + rel
        let video = root + "/0_7_LabelClips/" + rel + ".mp4"
        let path = LayoutFiles.isDirectory(frames) || !LayoutFiles.exists(video) ? frames : video
        return ClipRecord(id: rel, path: path, declaredFrames: nil, label: label)
    }
}
