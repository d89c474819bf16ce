import Foundation
import TensorCore

/// Self-describing checkpoints of a FineCLIPER model: the trainable tensors by their parameter
/// names, and the model configuration (with variant and class names) as JSON in the safetensors
/// metadata. The frozen CLIP is not stored; it is named by the configuration and loaded apart.
/// Other tensors (a trainer's optimizer state) may sit beside the model's under other prefixes.
public enum ModelCheckpoint {
    public static let configKey = "finecliper.model_config"
    /// Tensor-name prefixes that belong to a trainer, not to the model.
    public static let foreignPrefixes = ["optimizer.", "trainer."]

    /// Writes the trainable parameters and the configuration atomically to `path`.
    public static func save(_ model: FineCLIPERModel, to path: String, metadata: [String: String] = [:], tensors: [String: Tensor] = [:]) throws {
        var w = SafeTensorsWriter(metadata: metadata)
        w.metadata[configKey] = try String(decoding: JSONEncoder.sorted.encode(model.config), as: UTF8.self)
        for p in model.trainableParameters { w.add(p.name, p.value) }
        for (name, t) in tensors.sorted(by: { $0.key < $1.key }) {
            check(foreignPrefixes.contains { name.hasPrefix($0) }, "extra checkpoint tensor \(name) needs a prefix from \(foreignPrefixes)")
            w.add(name, t)
        }
        try w.write(to: path)
    }

    /// The configuration a checkpoint was written with.
    public static func config(of file: SafeTensorsFile) throws -> FineCLIPERConfig {
        guard let json = file.metadata[configKey] else {
            throw ModelError.checkpoint(path: file.path, reason: "not a finecliper model checkpoint (no \(configKey) in its metadata)")
        }
        do {
            return try JSONDecoder().decode(FineCLIPERConfig.self, from: Data(json.utf8))
        } catch {
            throw ModelError.checkpoint(path: file.path, reason: "its model configuration cannot be read: \(error)")
        }
    }

    /// Fills `model`'s trainable parameters from `file`. A checkpoint of another variant, class
    /// list or size is refused with the differences and the mismatched tensors listed.
    /// `otherClasses` accepts a model built for another class list (the zero-shot protocol): the
    /// PN prompts are then the model's own classes, which works because no trained tensor depends
    /// on the class list; any tensor that does still has to fit. Parameters named in `mayLack`
    /// that the file does not hold keep their values (a fine-tuning start from a run without them).
    public static func load(into model: FineCLIPERModel, from file: SafeTensorsFile, otherClasses: Bool = false, mayLack: Set<String> = []) throws {
        let saved = try config(of: file)
        var problems: [String] = []
        if saved.variant != model.config.variant { problems.append("variant \(saved.variant.rawValue), the model is \(model.config.variant.rawValue)") }
        if saved.classNames != model.config.classNames && !otherClasses {
            problems.append("\(saved.classNames.count) classes (\(saved.classNames.joined(separator: ", "))), the model has \(model.config.classNames.count) (\(model.config.classNames.joined(separator: ", "))); evaluating on another class list is the zero-shot protocol (eval --zero-shot)")
        }
        if saved.clip != model.config.clip { problems.append("a different CLIP size") }
        let params = model.trainableParameters
        let known = Set(params.map(\.name))
        let missing = params.filter { file.entries[$0.name] == nil && !mayLack.contains($0.name) }.map(\.name)
        let misshaped = params.compactMap { p in file.entries[p.name].flatMap { $0.shape == p.shape ? nil : "\(p.name) is \($0.shape), expected \(p.shape)" } }
        let unexpected = file.entries.keys.filter { k in !known.contains(k) && !foreignPrefixes.contains { k.hasPrefix($0) } }.sorted()
        func list(_ xs: [String]) -> String { xs.prefix(5).joined(separator: ", ") + (xs.count > 5 ? ", … (\(xs.count) in all)" : "") }
        if !missing.isEmpty { problems.append("missing tensors: " + list(missing)) }
        if !misshaped.isEmpty { problems.append("wrong shapes: " + list(misshaped)) }
        if !unexpected.isEmpty { problems.append("unexpected tensors: " + list(unexpected)) }
        guard problems.isEmpty else {
            throw ModelError.checkpoint(path: file.path, reason: "does not fit this model: " + problems.joined(separator: "; "))
        }
        for p in params where file.entries[p.name] != nil { p.value = try file.tensor(p.name) }
    }
}

extension JSONEncoder {
    /// Stable output (sorted keys), so equal configurations are equal strings.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
