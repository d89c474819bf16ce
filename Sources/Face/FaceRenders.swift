import Media

/// The middle-level inputs of FineCLIPER for one frame (FINECLIPER.md §5.1), all 224×224 in the
/// same crop geometry: the face crop, the parsing overlay and the landmark dots.
public struct FaceRenders: Sendable {
    public let face: RGBImage
    public let parsing: RGBImage
    public let landmarks: RGBImage
    public let map: ParsingMap

    /// From a frame, its face box and 68 landmarks; an external parsing map (already in crop
    /// geometry) replaces the one rasterised from the landmarks.
    public init(frame: RGBImage, box: FaceBox, points: [SIMD2<Double>], size: Int = 224, externalMap: ParsingMap? = nil) {
        let crop = FaceCrop(box: box, size: size)
        face = crop.apply(frame)
        let local = points.map(crop.transform)
        map = externalMap ?? ParsingMap(landmarks: local, width: size, height: size)
        parsing = map.overlay(on: face)
        landmarks = LandmarkRender.dots(on: face, points: local)
    }
}
