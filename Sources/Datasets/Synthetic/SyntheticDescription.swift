extension SyntheticClip {
    /// The clip's movements in plain words (no emotion named), from the action units, their timing,
    /// blinks and head movement: the ground truth a describer should reach.
    public var movementDescription: String {
        let visible = apex.filter { $0.intensity >= 0.25 }.sorted { $0.intensity > $1.intensity }
        var sentences: [String] = []
        if visible.isEmpty {
            sentences.append("The face stays relaxed and still")
        } else {
            let when = onset < 0 ? "Already at the first frame" : onset < 0.12 ? "From the start of the clip" : onset < 0.25 ? "Early in the clip" : "Midway through the clip"
            let phrases = visible.map(\.unit.phrase)
            let list = phrases.count == 1 ? phrases[0] : phrases.dropLast().joined(separator: ", ") + " and " + phrases.last!
            sentences.append("\(when), \(list)" + (visible[0].intensity > 0.7 ? "" : ", only slightly"))
            sentences.append(release == nil ? "The face holds this until the end" : "Then the face relaxes again")
        }
        if talking != nil { sentences.append("The mouth keeps opening and closing as if speaking") }
        if !blinks.isEmpty { sentences.append(blinks.count == 1 ? "The eyes blink once" : "The eyes blink \(blinks.count == 2 ? "twice" : "\(blinks.count) times")") }
        let turn = poseEnd - poseStart
        if abs(turn.x) > 5 { sentences.append("The head turns slightly towards the \(turn.x > 0 ? "right" : "left") of the frame") }
        if abs(turn.y) > 3 { sentences.append("The head tilts \(turn.y > 0 ? "up" : "down") a little") }
        return sentences.map { $0 + "." }.joined(separator: " ")
    }
}
