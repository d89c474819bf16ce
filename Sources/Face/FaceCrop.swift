import Media

/// DFER-style face crops: the detector's box made square, enlarged by half (as FaceXFormer's
/// demo does), cut out with black where it leaves the frame, and resized to 224 with bicubic
/// resampling. Landmarks map into the crop with `transform`.
public struct FaceCrop: Sendable {
    /// The square region in frame pixels (may extend past the frame).
    public let x: Double, y: Double, side: Double
    public let size: Int

    public init(box: FaceBox, enlarge: Double = 1.5, size: Int = 224) {
        let s = Double(max(box.width, box.height)) * enlarge
        x = Double(box.left + box.right) / 2 - s / 2
        y = Double(box.top + box.bottom) / 2 - s / 2
        side = s
        self.size = size
    }

    /// The same region in a copy of the frame scaled by `factor`.
    func scaled(by factor: Double) -> FaceCrop { FaceCrop(x: x * factor, y: y * factor, side: side * factor, size: size) }

    init(x: Double, y: Double, side: Double, size: Int) {
        self.x = x; self.y = y; self.side = side; self.size = size
    }

    /// A frame point in crop pixels.
    public func transform(_ p: SIMD2<Double>) -> SIMD2<Double> {
        (p - SIMD2(x, y)) * (Double(size) / side)
    }

    public func apply(_ image: RGBImage) -> RGBImage {
        let s = Int(side.rounded()), left = Int(x.rounded()), top = Int(y.rounded())
        var square = RGBImage(width: max(s, 1), height: max(s, 1))
        let x0 = max(0, left), y0 = max(0, top), x1 = min(image.width, left + s), y1 = min(image.height, top + s)
        if x0 < x1 && y0 < y1 {
            for yy in y0..<y1 {
                let src = (yy * image.width + x0) * 3, dst = ((yy - top) * s + (x0 - left)) * 3
                square.pixels.replaceSubrange(dst..<(dst + (x1 - x0) * 3), with: image.pixels[src..<(src + (x1 - x0) * 3)])
            }
        }
        return square.resized(width: size, height: size, filter: .bicubic)
    }
}
