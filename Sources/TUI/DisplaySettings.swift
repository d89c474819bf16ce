import ConfigFiles

/// What config.toml sets: the theme's name and the colour depth (nil: ask the terminal).
public struct DisplaySettings: Equatable, Sendable {
    public var theme = "dark"
    public var colors: ColorDepth? = nil

    public init() {}

    /// Takes the settings of a parsed config.toml; unknown keys and bad values come back as
    /// messages (file and line) and leave the setting as it was.
    public mutating func apply(_ doc: ConfigDocument) -> [String] {
        var problems: [String] = []
        for (key, value, _) in doc.entries {
            let at = doc.place(of: key)
            switch (key, value.string) {
            case let ("theme", name?): theme = name
            case ("colors", "auto"): colors = nil
            case let ("colors", depth?) where ColorDepth(rawValue: depth) != nil: colors = ColorDepth(rawValue: depth)
            case ("colors", _): problems.append("\(at): colors must be \"auto\", \"direct\", \"256\" or \"16\"")
            case ("theme", nil): problems.append("\(at): theme must be a theme's name in quotes, not \(value.typeName)")
            default: problems.append("\(at): unknown setting \(key)")
            }
        }
        return problems
    }
}
