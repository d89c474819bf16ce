import Foundation
import TensorCore

/// DFER-CLIP's annotation lists: one clip per line, `<frame_dir> <num_frames> <label_idx>`,
/// separated by whitespace. Relative paths are resolved against the data root. Blank lines and
/// lines starting with `#` are ignored.
public enum AnnotationList {
    /// Reads `file`. With `skipBadLines` malformed lines are counted and left out instead of
    /// stopping at the first one.
    public static func read(_ file: String, root: String, classCount: Int, skipBadLines: Bool = false) throws -> (clips: [ClipRecord], skipped: Int) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DatasetError.missing(path: file, what: "an annotation list of \"<frame_dir> <num_frames> <label>\" lines")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError.badLine(file: file, line: 1, reason: "the file is not UTF-8 text")
        }
        return try LayoutFiles.parseLines(file, text: text, skipBadLines: skipBadLines) {
            try parse($0, file: file, lineNumber: $1, root: root, classCount: classCount)
        }
    }

    static func parse(_ line: String, file: String, lineNumber: Int, root: String, classCount: Int) throws -> ClipRecord {
        func bad(_ reason: String) -> DatasetError { .badLine(file: file, line: lineNumber, reason: reason) }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 3 else {
            throw bad("expected \"<frame_dir> <num_frames> <label>\", found \(fields.count) field(s): \(line.prefix(80))")
        }
        guard let frames = Int(fields[1]), frames >= 0 else { throw bad("frame count \"\(fields[1])\" is not a non-negative integer") }
        guard let label = Int(fields[2]) else { throw bad("label \"\(fields[2])\" is not an integer") }
        guard label >= 0 && label < classCount else { throw bad("label \(label) is outside 0…\(classCount - 1)") }
        let path = fields[0].hasPrefix("/") ? fields[0] : (root as NSString).appendingPathComponent(fields[0])
        let id = PathText.stem(path)
        return ClipRecord(id: id, path: (path as NSString).standardizingPath, declaredFrames: frames, label: label)
    }

    /// Writes clips in the same format (paths relative to `root` where they lie under it).
    public static func format(_ clips: [ClipRecord], root: String) -> String {
        let prefix = (root as NSString).standardizingPath + "/"
        return clips.map { c in
            let p = c.path.hasPrefix(prefix) ? String(c.path.dropFirst(prefix.count)) : c.path
            return "\(p) \(c.declaredFrames ?? 0) \(c.label)"
        }.joined(separator: "\n") + "\n"
    }
}
