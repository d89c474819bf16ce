import ConfigFiles
import FineCLIPER
import Foundation
import Testing
import TestSupport
@testable import Training

@Suite struct TrainConfigFileTests {
    let base = TrainConfig(data: "", model: "")

    @Test func tomlInAnySpellingOverDefaults() throws {
        let doc = try ConfigDocument(text: """
            data = "gen"
            model = "tiny"
            epochs = 15
            adapter-rate = 0.002
            temporal_rate = 1   # an integer where a number is wanted is fine
            optimizer = "adamw"
            milestones = [5, 10]
            """, file: "run.toml")
        let c = try TrainConfig.overlay(doc, on: base)
        #expect(c.data == "gen" && c.model == "tiny" && c.epochs == 15 && c.adapterRate == 0.002 && c.temporalRate == 1)
        #expect(c.optimizer == .adamw && c.milestones == [5, 10] && c.batch == TrainConfig(data: "", model: "").batch)
    }

    @Test func aRunsConfigJSONRepeatsTheRun() throws {
        var original = TrainConfig(data: "/d", model: "embedded")
        original.fold = 3; original.mode = .cached; original.seed = 99; original.validationFraction = 0.2; original.normalize = true
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text = String(decoding: try encoder.encode(original), as: UTF8.self)
        #expect(try TrainConfig.overlay(try ConfigDocument(text: text, file: "config.json"), on: base) == original)
    }

    @Test func unknownKeysWrongTypesAndBadValuesAreErrorsAtTheirLine() throws {
        func error(_ text: String) throws -> ConfigError? {
            do { _ = try TrainConfig.overlay(try ConfigDocument(text: text, file: "c.toml"), on: base); return nil } catch { return error }
        }
        let unknown = try error("data = \"d\"\nepoch = 3\n")
        #expect(unknown?.line == 2 && unknown?.reason.hasPrefix("epoch: not a training setting") == true)
        let type = try error("data = \"d\"\nmodel = \"m\"\n\nepochs = \"ten\"\n")
        #expect(type?.line == 4 && type?.reason == "epochs: expected an integer", "\(String(describing: type))")
        let fraction = try error("epochs = 2.5\n")
        #expect(fraction?.line == 1 && fraction?.reason == "epochs: expected an integer, not a number", "\(String(describing: fraction))")
        let enumValue = try error("mode = \"fast\"\n")
        #expect(enumValue?.line == 1 && enumValue?.reason.hasPrefix("mode:") == true)
        let twice = try error("adapterRate = 0.1\nadapter-rate = 0.2\n")
        #expect(twice?.reason.contains("set twice") == true)
        let range = try error("batch = 0\n")
        #expect(range?.reason == "batch must be 1…4096")
        #expect(try error("modality-dropout = 1\n")?.reason == "modality dropout must be in [0, 1)")
        #expect(try TrainConfig.overlay(try ConfigDocument(text: "modality_dropout = 0.25\n", file: "c.toml"), on: base).modalityDropout == 0.25)
    }

    @Test func pointAugmentationTakesPartialSettingsAndNeedsPoints() throws {
        let points = "landmark-input = \"points\"\n"
        let c = try TrainConfig.overlay(try ConfigDocument(text: points + "point-augmentation = { flip = 0.25 }\n", file: "c.toml"), on: base)
        #expect(c.pointAugmentation == PointAugmentation(flip: 0.25))
        func reason(_ text: String) -> String? {
            do { _ = try TrainConfig.overlay(try ConfigDocument(text: text, file: "c.toml"), on: base); return nil } catch { return error.reason }
        }
        #expect(reason("point-augmentation = {}\n") == "point augmentation needs the landmark stream to read points")
        #expect(reason(points + "point-augmentation = { scale = 0.9 }\n") == "the point shift and scale must be in [0, 0.5]")
    }

    @Test func everyFieldIsAKnownKey() {
        let keys = Set(TrainConfig.fileKeys)
        #expect(keys.isSuperset(of: ["data", "format", "fold", "model", "epochs", "adapterRate", "milestones", "spikeFactor"]))
        #expect(keys.count == TrainConfig.fileKeys.count)
    }

    /// The rates the twin's recipe test uses (FineCLIPERParityTests) are the trainer's defaults.
    @Test func defaultsAreTheRecipeTheTwinChecks() {
        let c = TrainConfig(data: "", model: "")
        #expect(c.optimizer == .sgd && c.momentum == 0.9 && c.weightDecay == 1e-4)
        #expect(c.adapterRate == 1e-3 && c.temporalRate == 1e-2 && c.fusionRate == 1e-2 && c.milestones.min()! > 1)
    }
}
