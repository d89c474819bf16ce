import Foundation
import TensorCore

/// The dataset layouts `finecliper` reads, and how to tell them apart from a root folder.
public enum DatasetFormat: String, CaseIterable, Codable, Sendable {
    case dfew, ferv39k, mafw, list

    /// Guesses the layout from the marker files of each official release.
    public static func detect(root: String) -> DatasetFormat? {
        let fm = FileManager.default
        if fm.fileExists(atPath: root + "/EmoLabel_DataSplit") { return .dfew }
        if fm.fileExists(atPath: root + "/4_setups") { return .ferv39k }
        if fm.fileExists(atPath: root + "/Train & Test Set") { return .mafw }
        if ListLayout.discover(root: root, fold: nil) != nil { return .list }
        return nil
    }

    /// Opens `root` in this layout at `fold` (DFEW and MAFW: 1–5; FERV39k has one split).
    public func open(root: String, fold: Int?, skipBadLines: Bool = false) throws -> DatasetSplits {
        let root = (root as NSString).standardizingPath
        switch self {
        case .dfew: return try DFEWLayout.open(root: root, fold: fold ?? 1)
        case .ferv39k:
            if let fold, fold != 1 { throw DatasetError.badFold(fold: fold, available: 1...1) }
            return try FERV39kLayout.open(root: root, skipBadLines: skipBadLines)
        case .mafw: return try MAFWLayout.open(root: root, fold: fold ?? 1, skipBadLines: skipBadLines)
        case .list: return try ListLayout.open(root: root, fold: fold, skipBadLines: skipBadLines)
        }
    }
}

/// Helpers shared by the layout readers.
enum LayoutFiles {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }

    /// The first of `candidates` that exists.
    static func first(_ candidates: [String]) -> String? { candidates.first(where: exists) }

    static func text(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.missing(path: path, what: "a split file")
        }
        guard let s = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw DatasetError.badLine(file: path, line: 1, reason: "unreadable text encoding")
        }
        return s
    }

    /// Parses each non-blank line of a split file (skipping `#` comments); with `skipBadLines`
    /// malformed lines are counted instead of stopping at the first.
    static func parseLines(_ file: String, text: String, skipBadLines: Bool,
                           _ parse: (String, Int) throws -> ClipRecord) throws -> (clips: [ClipRecord], skipped: Int) {
        var clips: [ClipRecord] = [], skipped = 0
        var firstLine: [String: Int] = [:]
        for (n, raw) in textLines(text).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                let clip = try parse(line, n + 1)
                if let first = firstLine[clip.id] {
                    throw DatasetError.duplicateID(file: file, line: n + 1, id: clip.id, firstLine: first)
                }
                firstLine[clip.id] = n + 1
                clips.append(clip)
            } catch let e as DatasetError {
                if !skipBadLines { throw e }
                skipped += 1
            }
        }
        return (clips, skipped)
    }

    /// Every file below `dir` with one of `extensions`, by file name without extension.
    static func index(_ dir: String, extensions: Set<String>) -> [String: String] {
        var out: [String: String] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
        while let rel = e.nextObject() as? String {
            let ext = (rel as NSString).pathExtension.lowercased()
            guard extensions.contains(ext) else { continue }
            let stem = PathText.stem(rel)
            if out[stem] == nil { out[stem] = dir + "/" + rel }
        }
        return out
    }
}
