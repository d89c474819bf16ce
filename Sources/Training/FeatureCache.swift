import Foundation
import TensorCore

/// Per-clip frozen-CLIP frame embeddings for cached training: one safetensors file per clip
/// ([T, P] per stream) in a folder named by a hash of everything that shapes them (the weights'
/// fingerprint, the dataset's folder, image size, frames, normalisation), so a change of
/// any makes a new cache instead of reusing a stale one, and an interrupted build resumes where it
/// stopped. Each file also records its clip's source stamp (the frames' and landmarks' sizes and
/// modification times): a clip regenerated in place is computed again, never read stale.
public struct FeatureCache: Sendable {
    public let folder: String

    public init(root: String, key: String) {
        folder = root + "/" + String(format: "%016llx", DeterministicParameters.nameHash(key))
    }

    /// `$XDG_CACHE_HOME/finecliper/features` (else ~/.cache/finecliper/features).
    public static var defaultRoot: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/finecliper/features"
    }

    func path(_ id: String) -> String { folder + "/" + id + ".safetensors" }

    static let stampKey = "finecliper.source"

    /// Whether the clip's features of these streams are stored for this source stamp.
    public func contains(_ id: String, stamp: String, streams: [String]) -> Bool {
        guard let file = try? SafeTensorsFile(path: path(id)), file.metadata[Self.stampKey] == stamp else { return false }
        return streams.allSatisfy(file.names.contains)
    }

    public func store(_ id: String, _ streams: [String: Tensor], stamp: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var w = SafeTensorsWriter(metadata: [Self.stampKey: stamp])
        for (name, t) in streams.sorted(by: { $0.key < $1.key }) { w.add(name, t) }
        try w.write(to: path(id))
    }

    /// The clip's features, or nil when they are not cached for this stamp (or the file is
    /// unreadable, which makes the caller compute them again).
    public func load(_ id: String, stamp: String) -> [String: Tensor]? {
        guard let file = try? SafeTensorsFile(path: path(id)), file.metadata[Self.stampKey] == stamp else { return nil }
        var out: [String: Tensor] = [:]
        for name in file.names { out[name] = try? file.tensor(name) }
        return out.values.contains { $0.count == 0 } ? nil : out
    }
}

extension FeatureCache {
    /// Sizes and modification times of the files a clip's features are computed from.
    public static func stamp(_ paths: [String]) -> String {
        paths.map { p -> String in
            guard let a = try? FileManager.default.attributesOfItem(atPath: p) else { return "-" }
            let size = (a[.size] as? NSNumber)?.intValue ?? 0
            let modified = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(size)@\(modified)"
        }.joined(separator: "|")
    }
}
