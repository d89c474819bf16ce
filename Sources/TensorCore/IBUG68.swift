/// Facts of the 68-point iBUG 300-W landmark scheme that several layers need.
public enum IBUG68 {
    /// The partner of each landmark in the mirror image (image-left ↔ image-right; midline points
    /// map to themselves).
    public static let mirror: [Int] = {
        var m = Array(0..<68)
        func pair(_ a: [Int], _ b: [Int]) { for (x, y) in zip(a, b) { m[x] = y; m[y] = x } }
        pair(Array(0...7), Array((9...16).reversed()))
        pair(Array(17...21), Array((22...26).reversed()))
        pair([31, 32], [35, 34])
        pair([36, 37, 38, 39, 40, 41], [45, 44, 43, 42, 47, 46])
        pair([48, 49, 50, 59, 58], [54, 53, 52, 55, 56])
        pair([60, 61, 67], [64, 63, 65])
        return m
    }()

    /// The face's parts: jaw line, brows, nose, eyes, mouth.
    public static let parts: [Range<Int>] = [0..<17, 17..<27, 27..<36, 36..<48, 48..<68]
}
