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
}
