import Foundation

/// The landmarks CSV `finecliper synth` and `finecliper landmarks` write: `frame, x_0 … x_67,
/// y_0 … y_67` (extra columns are ignored; empty coordinates mean no face in that frame).
public struct LandmarksFile: Sendable {
    /// Points per frame number; frames without a face have none.
    public var points: [Int: [SIMD2<Double>]] = [:]

    /// The coordinate columns, `x_0 … x_67, y_0 … y_67`, joined by commas.
    public static let coordinateHeader = ((0..<68).map { "x_\($0)" } + (0..<68).map { "y_\($0)" }).joined(separator: ",")

    /// A face's coordinate fields (2 decimals) in `coordinateHeader`'s order; 136 empty fields without one.
    public static func coordinateFields(_ points: [SIMD2<Double>]?) -> [String] {
        guard let points, points.count == 68 else { return Array(repeating: "", count: 136) }
        return points.map { String(format: "%.2f", $0.x) } + points.map { String(format: "%.2f", $0.y) }
    }

    /// Points of every frame from 0 to the last with a face (empty where a frame has none).
    public var track: [[SIMD2<Double>]] {
        (points.keys.max().map { 0...$0 } ?? 0...(-1)).map { points[$0] ?? [] }
    }

    public init(_ text: String, path: String) throws {
        let rows = try CSVTable.parse(text)
        guard let header = rows.first?.fields else { throw DatasetError.badLine(file: path, line: 1, reason: "empty landmarks file") }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let frame = column("frame"), let xs = Optional((0..<68).compactMap { column("x_\($0)") }), xs.count == 68,
              let ys = Optional((0..<68).compactMap { column("y_\($0)") }), ys.count == 68 else {
            throw DatasetError.badLine(file: path, line: 1, reason: "expected columns frame, x_0…x_67, y_0…y_67")
        }
        for (line, fields) in rows.dropFirst() {
            guard fields.count == header.count, let f = Int(fields[frame]) else {
                throw DatasetError.badLine(file: path, line: line, reason: "expected \(header.count) fields and a frame number")
            }
            if fields[xs[0]].isEmpty { continue }
            var p: [SIMD2<Double>] = []
            for k in 0..<68 {
                guard let x = Double(fields[xs[k]]), let y = Double(fields[ys[k]]), x.isFinite, y.isFinite else {
                    throw DatasetError.badLine(file: path, line: line, reason: "landmark \(k) is not a number")
                }
                p.append(SIMD2(x, y))
            }
            points[f] = p
        }
    }
}
