import Foundation

/// The class orders DFER-CLIP uses (FINECLIPER.md §1.5): index i of a label is entry i here.
public enum EmotionClasses {
    /// DFEW and FERV39k (DFEW's official CSV labels are these indices + 1).
    public static let seven = ["Happy", "Sad", "Neutral", "Angry", "Surprise", "Disgust", "Fear"]
    /// MAFW's eleven single-label classes.
    public static let eleven = ["Happiness", "Sadness", "Neutral", "Anger", "Surprise", "Disgust", "Fear",
                                "Contempt", "Anxiety", "Helplessness", "Disappointment"]

    /// The index of a class name in `classes`, ignoring case (so "happy" and "Happy" match).
    public static func index(of name: String, in classes: [String]) -> Int? {
        classes.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// One spelling per emotion, so that class lists from different sources can be matched
    /// ("happy" in fer and DFEW, "happiness" in MAFW and the embedded model); nil for a name that
    /// is not one of the basic seven.
    public static func basic(_ name: String) -> String? {
        switch name.lowercased() {
        case "happy", "happiness": return "happiness"
        case "sad", "sadness": return "sadness"
        case "neutral": return "neutral"
        case "angry", "anger": return "anger"
        case "surprise", "surprised": return "surprise"
        case "disgust", "disgusted": return "disgust"
        case "fear", "fearful", "afraid": return "fear"
        default: return nil
        }
    }

    /// For each class in `from`, the index of the same basic emotion in `to` (nil where `to` has none).
    public static func map(_ from: [String], to: [String]) -> [Int?] {
        from.map { name in basic(name).flatMap { b in to.firstIndex { basic($0) == b } } }
    }
}
