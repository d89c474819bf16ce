import Foundation
import TensorCore

/// DFER-CLIP's training augmentations, applied to every frame of a clip with one random draw
/// (FINECLIPER.md §1.2), and the plain resize used at test time.
public struct ClipAugmentation: Codable, Equatable, Sendable {
    /// ColorJitter(brightness = b): a factor uniform in [max(0, 1 − b), 1 + b].
    public var brightness: Float?
    /// RandomRotation(±degrees) with nearest-neighbour sampling and black fill.
    public var rotationDegrees: Float?
    /// GroupRandomSizedCrop: Inception-style crop (area 8–100 %, aspect 3/4–4/3), then resize.
    public var randomSizedCrop: Bool
    /// GroupRandomHorizontalFlip(p = 0.5).
    public var horizontalFlip: Bool

    public init(brightness: Float? = nil, rotationDegrees: Float? = nil, randomSizedCrop: Bool = true, horizontalFlip: Bool = true) {
        self.brightness = brightness
        self.rotationDegrees = rotationDegrees
        self.randomSizedCrop = randomSizedCrop
        self.horizontalFlip = horizontalFlip
    }

    public static let dfew = ClipAugmentation(brightness: 0.5)
    public static let ferv39k = ClipAugmentation(rotationDegrees: 4)
    public static let mafw = ClipAugmentation()

    /// The augmented clip at `size`×`size`, in the reference order: jitter, rotation, crop, flip.
    public func apply(_ frames: [RGBImage], size: Int = 224, using g: inout SeededGenerator) -> [RGBImage] {
        var clip = frames
        if let b = brightness {
            let factor = g.uniform(max(0, 1 - b), 1 + b)
            clip = clip.map { $0.brightnessAdjusted(factor) }
        }
        if let d = rotationDegrees {
            let angle = g.uniform(-d, d)
            clip = clip.map { $0.rotated(degrees: angle) }
        }
        if randomSizedCrop, let first = clip.first {
            if let box = Self.randomSizedCropBox(width: first.width, height: first.height, using: &g) {
                clip = clip.map { $0.cropped(x: box.x, y: box.y, width: box.w, height: box.h).resizedBilinear(width: size, height: size) }
            } else {
                // No crop fits: as the reference, shorter side to `size`, then a random `size` crop.
                clip = clip.map { $0.resizedShorterSide(to: size) }
                let x = g.integer(below: clip[0].width - size + 1), y = g.integer(below: clip[0].height - size + 1)
                clip = clip.map { $0.cropped(x: x, y: y, width: size, height: size) }
            }
        } else {
            clip = clip.map { $0.resizedBilinear(width: size, height: size) }
        }
        if horizontalFlip && g.nextUnit() < 0.5 {
            clip = clip.map { $0.flippedHorizontally() }
        }
        return clip
    }

    /// Test-time preprocessing: a plain bilinear resize to `size`×`size`.
    public static func test(_ frames: [RGBImage], size: Int = 224) -> [RGBImage] {
        frames.map { $0.resizedBilinear(width: size, height: size) }
    }

    /// Up to ten tries at an area in [0.08, 1] of the image and an aspect ratio in [3/4, 4/3]
    /// (sides swapped half the time) that fits; nil if none does.
    static func randomSizedCropBox(width: Int, height: Int, using g: inout SeededGenerator) -> (x: Int, y: Int, w: Int, h: Int)? {
        let area = Double(width * height)
        for _ in 0..<10 {
            let target = Double(g.uniform(0.08, 1)) * area
            let aspect = Double(g.uniform(3.0 / 4, 4.0 / 3))
            var w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            var h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if g.nextUnit() < 0.5 { swap(&w, &h) }
            if w <= width && h <= height && w > 0 && h > 0 {
                return (g.integer(below: width - w + 1), g.integer(below: height - h + 1), w, h)
            }
        }
        return nil
    }
}

extension RGBImage {
    /// The `width`×`height` region at (x, y).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        check(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= width && y + h <= height,
                     "crop \(w)×\(h) at (\(x), \(y)) does not fit in \(width)×\(height)")
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h {
            let src = ((y + row) * width + x) * 3
            out.replaceSubrange((row * w * 3)..<((row + 1) * w * 3), with: pixels[src..<(src + w * 3)])
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// Mirrored left to right.
    public func flippedHorizontally() -> RGBImage {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                let s = (y * width + x) * 3, d = (y * width + (width - 1 - x)) * 3
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Pillow's ImageEnhance.Brightness: a blend with black by `factor`, rounded and clipped.
    public func brightnessAdjusted(_ factor: Float) -> RGBImage {
        RGBImage(width: width, height: height, pixels: pixels.map { UInt8(clamping: Int((Float($0) * factor).rounded())) })
    }

    /// Rotated counter-clockwise by `degrees` about the centre, same size, nearest-neighbour
    /// sampling, black outside (Pillow's `rotate` as torchvision's RandomRotation calls it).
    public func rotated(degrees: Float) -> RGBImage {
        let a = -Double(degrees) * .pi / 180
        let (c, s) = ((cos(a) * 1e15).rounded() / 1e15, (sin(a) * 1e15).rounded() / 1e15)
        let cx = Double(width) / 2, cy = Double(height) / 2
        // Inverse map from output to input coordinates, about the centre.
        let m0 = c, m1 = s, m3 = -s, m4 = c
        let m2 = m0 * -cx + m1 * -cy + cx, m5 = m3 * -cx + m4 * -cy + cy
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                let xo = Double(x) + 0.5, yo = Double(y) + 0.5
                let xi = m0 * xo + m1 * yo + m2, yi = m3 * xo + m4 * yo + m5
                guard xi >= 0, yi >= 0 else { continue }
                let sx = Int(xi), sy = Int(yi)
                guard sx < width, sy < height else { continue }
                let d = (y * width + x) * 3, p = (sy * width + sx) * 3
                out[d] = pixels[p]; out[d + 1] = pixels[p + 1]; out[d + 2] = pixels[p + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
