/// One labelled clip of a dataset split.
public struct ClipRecord: Codable, Equatable, Sendable {
    /// The id descriptions and results refer to (the clip's folder or file name without extension).
    public var id: String
    /// Absolute path of the clip's frame folder or video file.
    public var path: String
    /// Frame count as the annotation states it (nil when the layout gives none).
    public var declaredFrames: Int?
    /// Class index into the dataset's class list.
    public var label: Int

    public init(id: String, path: String, declaredFrames: Int?, label: Int) {
        self.id = id
        self.path = path
        self.declaredFrames = declaredFrames
        self.label = label
    }
}

/// A dataset opened at one fold: its classes and clips per split ("train", "test").
public struct DatasetSplits: Sendable {
    public var name: String
    public var root: String
    public var fold: Int?
    public var classes: [String]
    public var splits: [String: [ClipRecord]]
    /// Lines skipped as malformed when reading with `skipBadLines`.
    public var skippedLines: Int

    public init(name: String, root: String, fold: Int?, classes: [String], splits: [String: [ClipRecord]], skippedLines: Int = 0) {
        self.name = name
        self.root = root
        self.fold = fold
        self.classes = classes
        self.splits = splits
        self.skippedLines = skippedLines
    }
}
