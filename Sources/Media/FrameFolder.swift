import Foundation

/// A clip stored as one image per frame in a folder (the layout DFER datasets ship), frames in
/// file-name order as Python's `sorted(os.listdir())` gives them. Hidden files are ignored; any
/// other non-image file, or a gap in the frame numbers, is an error naming the folder.
public final class FrameFolder: FrameSource {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp"]

    public let path: String
    public let files: [String]
    public let frameRate: Double
    public var frameCount: Int { files.count }

    public init(path: String, frameRate: Double = 25) throws {
        self.path = path
        self.frameRate = frameRate
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw MediaError.fileNotFound(path: path)
        }
        let visible = names.filter { !$0.hasPrefix(".") }
        let others = visible.filter { !Self.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        guard others.isEmpty else { throw MediaError.folderHasNonImages(path: path, files: others.sorted()) }
        // Byte-wise order, as Python sorts str.
        files = visible.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !files.isEmpty else { throw MediaError.folderEmpty(path: path) }
        let numbers = files.compactMap(Self.frameNumber)
        if numbers.count == files.count, let lo = numbers.min(), let hi = numbers.max(), hi - lo + 1 != numbers.count {
            let present = Set(numbers)
            throw MediaError.folderHasGaps(path: path, missing: (lo...hi).filter { !present.contains($0) })
        }
    }

    /// The last run of digits in a file name ("frame_00012.jpg" → 12), if any.
    static func frameNumber(_ name: String) -> Int? {
        let stem = (name as NSString).deletingPathExtension
        let digits = stem.reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    public func frames(at indices: [Int], size: (width: Int, height: Int)?) throws -> (frames: [Int: RGBImage], failed: [Int]) {
        var out: [Int: RGBImage] = [:]
        var failed: [Int] = []
        for i in Set(indices).sorted() {
            guard i >= 0 && i < files.count else { throw MediaError.frameOutOfRange(path: path, index: i, count: files.count) }
            do {
                out[i] = try VideoReader(path: path + "/" + files[i]).frame(at: 0, size: size)
            } catch {
                failed.append(i)
            }
        }
        return (out, indices.filter { failed.contains($0) })
    }
}
