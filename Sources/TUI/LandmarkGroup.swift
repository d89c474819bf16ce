/// Which of the 68 landmarks the player draws (the iBUG 300-W numbering dlib uses), so a small
/// pane can show one part of the face without dots covering the rest.
enum LandmarkGroup: String, CaseIterable, Sendable {
    case all, jaw, brows, nose, eyes, mouth

    var indices: ClosedRange<Int> {
        switch self {
        case .all: 0...67
        case .jaw: 0...16
        case .brows: 17...26
        case .nose: 27...35
        case .eyes: 36...47
        case .mouth: 48...67
        }
    }

    var next: LandmarkGroup { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }

    /// The group's points of a 68-point set (any other set is drawn whole).
    func pick<T>(_ points: [T]) -> [T] { points.count == 68 ? Array(points[indices]) : points }
}
