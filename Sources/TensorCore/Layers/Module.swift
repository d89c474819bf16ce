/// A piece of a model that owns parameters, directly or through child modules. Names are given
/// once, when a module is built from a `ParameterPath` (the checkpoint key of each field sits
/// next to the field it fills); everything else — the dotted list of parameters, the trainable
/// set, freezing and the weight map of a checkpoint — is derived from the module tree by
/// reflection, so there is no second list of names to keep in step.
public protocol Module {}

extension Module {
    /// Every parameter in the tree, in declaration order, with its dotted checkpoint key.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var out: [(name: String, parameter: Parameter)] = []
        var seen = Set<ObjectIdentifier>()
        collectParameters(self, into: &out, seen: &seen)
        var names = Set<String>()
        for (name, _) in out { check(names.insert(name).inserted, "two parameters of one model are both named \(name)") }
        return out
    }

    public var parameters: [Parameter] { namedParameters().map(\.parameter) }
    public var trainableParameters: [Parameter] { parameters.filter(\.isTrainable) }

    /// Number of scalar values in the trainable parameters.
    public var trainableCount: Int { trainableParameters.reduce(0) { $0 + $1.value.count } }

    /// Marks every parameter of the tree frozen (no gradient buffer) or trainable.
    public func setTrainable(_ trainable: Bool) {
        for p in parameters { p.isTrainable = trainable }
    }
}

/// Walks stored properties: parameters are collected, modules and containers of modules are
/// entered, anything else (sizes, configs, tensors of constants) is skipped without being
/// enumerated. A parameter shared by two fields is listed once.
private func collectParameters(_ value: Any, into out: inout [(name: String, parameter: Parameter)], seen: inout Set<ObjectIdentifier>) {
    if let p = value as? Parameter {
        if seen.insert(ObjectIdentifier(p)).inserted { out.append((p.name, p)) }
        return
    }
    let mirror = Mirror(reflecting: value)
    let enter: Bool
    switch mirror.displayStyle {
    case .optional, .collection, .tuple, .dictionary: enter = true
    default: enter = value is Module
    }
    guard enter else { return }
    for child in mirror.children { collectParameters(child.value, into: &out, seen: &seen) }
}

/// The dotted key under which a module creates its parameters, as candle's `VarBuilder.pp`:
/// `path("encoder")("layers.0")("self_attn").parameter("q_proj.weight", …)` makes a parameter
/// named `encoder.layers.0.self_attn.q_proj.weight`.
public struct ParameterPath: Sendable {
    public let prefix: String

    public init(_ prefix: String = "") { self.prefix = prefix }

    /// The path one level down.
    public func callAsFunction(_ key: String) -> ParameterPath { ParameterPath(name(key)) }

    public func name(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    /// A new parameter at `key`, zero-filled unless `value` is given; frozen unless `trainable`.
    public func parameter(_ key: String, _ shape: [Int], trainable: Bool = false, value: Tensor? = nil) -> Parameter {
        let v = value ?? Tensor(zeros: shape)
        check(v.shape == shape, "parameter \(name(key)): value \(v.shape) for shape \(shape)")
        return Parameter(name(key), v, trainable: trainable)
    }
}
