import TensorCore

/// FACS-style action units that drive the synthetic faces: each moves a set of the 68 iBUG
/// landmarks by a fixed displacement at full intensity (face units: the jaw spans x = −1…1, y grows
/// downwards). Image-left and image-right features move as mirror images.
public enum ActionUnit: Int, CaseIterable, Codable, Sendable {
    case innerBrowRaiser = 1, outerBrowRaiser = 2, browLowerer = 4, upperLidRaiser = 5, cheekRaiser = 6,
         lidTightener = 7, noseWrinkler = 9, upperLipRaiser = 10, lipCornerPuller = 12, lipCornerDepressor = 15,
         chinRaiser = 17, lipStretcher = 20, lipTightener = 23, lipsPart = 25, jawDrop = 26, eyesClosed = 43

    /// (landmark, dx, dy) for the image-left half and the midline; `moves` mirrors them.
    private var leftMoves: [(Int, Double, Double)] {
        switch self {
        case .innerBrowRaiser: return [(21, 0.01, -0.13), (20, 0, -0.09), (19, 0, -0.04)]
        case .outerBrowRaiser: return [(17, 0, -0.11), (18, 0, -0.11), (19, 0, -0.06), (20, 0, -0.02)]
        case .browLowerer: return [(17, 0, 0.04), (18, 0.01, 0.06), (19, 0.03, 0.08), (20, 0.05, 0.10), (21, 0.07, 0.11), (39, 0.01, 0.01)]
        case .upperLidRaiser: return [(37, 0, -0.045), (38, 0, -0.045), (17, 0, -0.02), (18, 0, -0.02)]
        case .cheekRaiser: return [(40, 0, -0.03), (41, 0, -0.035), (36, 0, -0.01), (1, 0, -0.02), (2, 0, -0.02)]
        case .lidTightener: return [(37, 0, 0.02), (38, 0, 0.02), (40, 0, -0.02), (41, 0, -0.02)]
        case .noseWrinkler: return [(31, 0, -0.045), (32, 0, -0.05), (33, 0, -0.05), (30, 0, -0.03), (29, 0, -0.01),
                                    (21, 0.02, 0.05), (20, 0.01, 0.03), (49, 0, -0.03), (50, 0, -0.04), (51, 0, -0.04)]
        case .upperLipRaiser: return [(49, 0, -0.06), (50, 0, -0.07), (51, 0, -0.07), (61, 0, -0.06), (62, 0, -0.06)]
        case .lipCornerPuller: return [(48, -0.09, -0.10), (60, -0.08, -0.08), (49, -0.03, -0.05), (59, -0.03, -0.05),
                                       (67, -0.01, -0.02), (61, -0.01, -0.02), (40, 0, -0.01), (41, 0, -0.01)]
        case .lipCornerDepressor: return [(48, 0.02, 0.09), (60, 0.02, 0.07), (49, 0, 0.03), (59, 0, 0.04), (6, 0, 0.01)]
        case .chinRaiser: return [(57, 0, -0.05), (58, 0, -0.05), (59, 0, -0.03), (66, 0, -0.03), (67, 0, -0.03),
                                  (8, 0, -0.04), (7, 0, -0.03), (51, 0, -0.02)]
        case .lipStretcher: return [(48, -0.10, 0.02), (60, -0.09, 0.02), (49, -0.05, 0.01), (59, -0.05, 0.01), (5, -0.01, 0)]
        case .lipTightener: return [(48, 0.04, 0), (60, 0.04, 0), (50, 0, 0.03), (51, 0, 0.035), (61, 0, 0.01), (62, 0, 0.01),
                                    (57, 0, -0.035), (58, 0, -0.03), (66, 0, -0.01), (67, 0, -0.01)]
        case .lipsPart: return [(66, 0, 0.07), (67, 0, 0.06), (57, 0, 0.05), (58, 0, 0.045), (59, 0, 0.03)]
        case .jawDrop: return [(66, 0, 0.26), (67, 0, 0.24), (57, 0, 0.24), (58, 0, 0.22), (59, 0, 0.15), (8, 0, 0.22),
                               (7, 0, 0.2), (6, 0, 0.15), (5, 0, 0.1), (4, 0, 0.05), (60, 0.01, 0.03)]
        case .eyesClosed: return []   // not a fixed displacement: the lids meet (see SyntheticClip.shape)
        }
    }

    /// Every displaced landmark with its full-intensity displacement.
    public var moves: [(index: Int, delta: SIMD2<Double>)] {
        var out: [(Int, SIMD2<Double>)] = []
        for (i, dx, dy) in leftMoves where dx != 0 || dy != 0 {
            out.append((i, SIMD2(dx, dy)))
            let m = IBUG68.mirror[i]
            if m != i { out.append((m, SIMD2(-dx, dy))) }
        }
        return out
    }

    /// The movement in plain words, with no emotion named (FINECLIPER.md §5.2's refined style).
    public var phrase: String {
        switch self {
        case .innerBrowRaiser: return "the inner ends of the eyebrows rise"
        case .outerBrowRaiser: return "the outer eyebrows lift"
        case .browLowerer: return "the eyebrows draw down together"
        case .upperLidRaiser: return "the upper eyelids lift, widening the eyes"
        case .cheekRaiser: return "the cheeks lift, pushing up the lower eyelids"
        case .lidTightener: return "the eyelids tighten"
        case .noseWrinkler: return "the nose wrinkles"
        case .upperLipRaiser: return "the upper lip rises"
        case .lipCornerPuller: return "the lip corners pull up towards the cheeks"
        case .lipCornerDepressor: return "the lip corners pull down"
        case .chinRaiser: return "the chin pushes the lower lip up"
        case .lipStretcher: return "the lips stretch sideways"
        case .lipTightener: return "the lips press thin"
        case .lipsPart: return "the lips part"
        case .jawDrop: return "the jaw drops, opening the mouth"
        case .eyesClosed: return "the eyes close"
        }
    }

    /// Prototype action units per class (EMFACS-style), with their relative intensities.
    public static func prototype(for emotion: String) -> [(ActionUnit, Double)] {
        switch emotion.lowercased() {
        case "happy", "happiness": return [(.cheekRaiser, 0.8), (.lipCornerPuller, 1), (.lipsPart, 0.4)]
        case "sad", "sadness": return [(.innerBrowRaiser, 0.9), (.browLowerer, 0.4), (.lipCornerDepressor, 0.9), (.chinRaiser, 0.5)]
        case "angry", "anger": return [(.browLowerer, 1), (.upperLidRaiser, 0.4), (.lidTightener, 0.8), (.lipTightener, 0.9)]
        case "surprise": return [(.innerBrowRaiser, 1), (.outerBrowRaiser, 1), (.upperLidRaiser, 0.9), (.jawDrop, 0.8)]
        case "disgust": return [(.noseWrinkler, 1), (.upperLipRaiser, 0.8), (.lipCornerDepressor, 0.4), (.browLowerer, 0.3)]
        case "fear": return [(.innerBrowRaiser, 0.9), (.outerBrowRaiser, 0.5), (.browLowerer, 0.5), (.upperLidRaiser, 0.9),
                             (.lipStretcher, 0.9), (.lipsPart, 0.7)]
        default: return []
        }
    }
}
