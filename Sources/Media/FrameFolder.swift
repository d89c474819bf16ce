import Foundation
import TensorCore

/// A clip stored as one image per frame in a folder (the layout DFER datasets ship), frames in
/// file-name order as Python's `sorted(os.listdir())` gives them. Hidden files are ignored; any
/// other non-image file, a gap in the frame numbers, or frames of different sizes is an error
/// naming the folder.
public final class FrameFolder: FrameSource {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp"]

    public let path: String
    public let files: [String]
    public let frameRate: Double
    public var frameCount: Int { files.count }
    /// The first frame's size, which every frame must share (read on first use).
    private var referenceSize: (width: Int, height: Int)?

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

    func firstFrameSize() throws -> (width: Int, height: Int) {
        if let referenceSize { return referenceSize }
        var found: (Int, Int)? = nil
        // The first frame that opens sets the size (a broken first file is reported on its own).
        for f in files {
            if let r = try? VideoReader(path: path + "/" + f), r.width > 0, r.height > 0 { found = (r.width, r.height); break }
        }
        guard let found else { throw MediaError.noFrames(path: path) }
        referenceSize = found
        return found
    }

    /// The last run of digits in a file name ("frame_00012.jpg" → 12), if any.
    static func frameNumber(_ name: String) -> Int? {
        let stem = PathText.deletingExtension(name)
        let digits = stem.reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    public func frames(at indices: [Int], size: (width: Int, height: Int)?) throws -> (frames: [Int: RGBImage], failed: [Int]) {
        var out: [Int: RGBImage] = [:]
        var failed: [Int] = []
        for i in Set(indices).sorted() {
            guard i >= 0 && i < files.count else { throw MediaError.frameOutOfRange(path: path, index: i, count: files.count) }
            let reader: VideoReader
            do { reader = try VideoReader(path: path + "/" + files[i]) } catch { failed.append(i); continue }
            let expected = try firstFrameSize()
            // A file whose header gives no size fails to decode below, as any corrupt frame does.
            guard reader.width * reader.height == 0 || (reader.width == expected.width && reader.height == expected.height) else {
                throw MediaError.sizeMismatch(path: path + "/" + files[i], expected: "\(expected.width)×\(expected.height) like \(files[0])",
                                              found: "\(reader.width)×\(reader.height)")
            }
            do { out[i] = try reader.frame(at: 0, size: size) } catch { failed.append(i) }
        }
        return (out, indices.filter { failed.contains($0) })
    }
}
