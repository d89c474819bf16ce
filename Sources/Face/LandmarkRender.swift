import Media

/// Landmarks drawn on a frame: filled yellow dots about 3 pixels across (FINECLIPER.md §5.1).
public enum LandmarkRender {
    public static func dots(on image: RGBImage, points: [SIMD2<Double>], radius: Double = 1.5,
                            color: (UInt8, UInt8, UInt8) = (255, 255, 0)) -> RGBImage {
        var out = image
        let r = Int(radius.rounded(.up))
        for p in points {
            let cx = Int(p.x.rounded()), cy = Int(p.y.rounded())
            for dy in -r...r {
                for dx in -r...r where Double(dx * dx + dy * dy) <= radius * radius + 0.5 {
                    let x = cx + dx, y = cy + dy
                    if x >= 0 && y >= 0 && x < out.width && y < out.height { out[x, y] = color }
                }
            }
        }
        return out
    }
}
