import Foundation
import TensorCore
import Training

/// Where the installed assets are: $FINECLIPER_ASSETS, ./assets, or the repository's assets folder
/// next to the build folder holding this binary. The samples are found the same way.
enum Assets {
    static var folder: String {
        if let env = ProcessInfo.processInfo.environment["FINECLIPER_ASSETS"], !env.isEmpty { return env }
        return repositoryFolder("assets") ?? "assets"
    }

    /// The repository's samples dataset, if there is one.
    static var samples: String? { repositoryFolder("samples") }

    /// `name` in the working directory, or in the repository that holds this binary's build folder.
    static func repositoryFolder(_ name: String) -> String? {
        if FileManager.default.fileExists(atPath: name) { return name }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static func path(_ name: String) -> String { folder + "/" + name }

    /// The embedded model's CLIP folder and FineCLIPER checkpoint in the repository.
    static var embeddedCLIP: String { repositoryFolder(ModelSource.embeddedCLIP) ?? ModelSource.embeddedCLIP }
    static var embeddedCheckpoint: String { repositoryFolder(ModelSource.embeddedCheckpoint) ?? ModelSource.embeddedCheckpoint }
    static var bpe: String { path("bpe_simple_vocab_16e6.txt") }

    static let dlibLandmarks = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
    static var blazeFace: String { path("face_detection_short_range.tflite") }
    static var expressionReference: String { path("emotion_model_quantized.tflite") }

    /// Fails with a message that says how to install what is missing.
    static func require(_ path: String, what: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AssetError(description: "\(what) not found at \(path); run scripts/setup (or make run) to install it")
        }
        return path
    }

    struct AssetError: DomainError {
        let description: String
        var kind: FailureKind { .missingInput }
    }
}

/// Text files written atomically (temporary file, then rename).
enum AtomicFileWrite {
    static func text(_ text: String, to path: String) throws {
        try TensorCore.AtomicFile.write(Data(text.utf8), to: path)
    }
}
