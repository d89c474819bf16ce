import Foundation

/// DFEW's official release: `EmoLabel_DataSplit/{train,test}(single-labeled)/set_N.csv` (header
/// `video_name,label`, labels 1–7 = Happy … Fear), clips as frame folders in
/// `Clip/clip_224x224/<5-digit id>/` (or DFER-CLIP's `DFEW_Frame_Face/<id>/`), else videos under
/// `Clip/original/` (searched recursively, so unzipped `part_N/` folders work).
enum DFEWLayout {
    static func open(root: String, fold: Int) throws -> DatasetSplits {
        guard (1...5).contains(fold) else { throw DatasetError.badFold(fold: fold, available: 1...5) }
        let splitDir = root + "/EmoLabel_DataSplit"
        guard LayoutFiles.isDirectory(splitDir) else {
            throw DatasetError.missing(path: splitDir, what: "DFEW's EmoLabel_DataSplit folder")
        }
        let frameDirs = [root + "/Clip/clip_224x224", root + "/DFEW_Frame_Face"].filter(LayoutFiles.isDirectory)
        var videos: [String: String]? = nil
        func clipPath(_ id: String) -> String {
            for d in frameDirs where LayoutFiles.isDirectory(d + "/" + id) { return d + "/" + id }
            if videos == nil { videos = LayoutFiles.index(root + "/Clip/original", extensions: ["mp4", "avi", "mkv"]) }
            return videos![id] ?? (frameDirs.first ?? root + "/Clip/clip_224x224") + "/" + id
        }
        var splits: [String: [ClipRecord]] = [:]
        for split in ["train", "test"] {
            let names = ["\(split)(single-labeled)", "\(split)(single_labeled)", split].map { "\(splitDir)/\($0)/set_\(fold).csv" }
            guard let file = LayoutFiles.first(names) else {
                throw DatasetError.missing(path: names[0], what: "the fold \(fold) \(split) split of DFEW")
            }
            let rows: [(line: Int, fields: [String])]
            do { rows = try CSVTable.parse(try LayoutFiles.text(file)) } catch let e as CSVError {
                throw DatasetError.badLine(file: file, line: e.line, reason: e.reason)
            }
            guard let header = rows.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
                  let nameCol = header.firstIndex(of: "video_name"), let labelCol = header.firstIndex(of: "label") else {
                throw DatasetError.badLine(file: file, line: 1, reason: "expected a header with video_name and label columns")
            }
            splits[split] = try rows.dropFirst().map { row in
                guard row.fields.count > max(nameCol, labelCol) else {
                    throw DatasetError.badLine(file: file, line: row.line, reason: "missing fields")
                }
                guard let n = Int(row.fields[nameCol].trimmingCharacters(in: .whitespaces)), n > 0 else {
                    throw DatasetError.badLine(file: file, line: row.line, reason: "video_name \"\(row.fields[nameCol])\" is not a clip number")
                }
                guard let label = Int(row.fields[labelCol].trimmingCharacters(in: .whitespaces)), (1...7).contains(label) else {
                    throw DatasetError.badLine(file: file, line: row.line, reason: "label \"\(row.fields[labelCol])\" is not 1–7")
                }
                let id = String(format: "%05d", n)
                return ClipRecord(id: id, path: clipPath(id), declaredFrames: nil, label: label - 1)
            }
        }
        return DatasetSplits(name: "DFEW", root: root, fold: fold, classes: EmotionClasses.seven, splits: splits)
    }
}
