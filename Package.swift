// swift-tools-version:6.0
import PackageDescription
import Foundation

/// Every target is built for a CPU that has FMA, so SIMD `addingProduct` lowers to one instruction
/// instead of a libm call. `FINECLIPER_TARGET_CPU`
/// overrides the CPU (e.g. `native`, `znver4`, or `x86-64` for a portable, slower binary).
let targetCPU = ProcessInfo.processInfo.environment["FINECLIPER_TARGET_CPU"] ?? "haswell"

#if arch(x86_64)
let cpuFlags = ["-target-cpu", targetCPU]
#else
let cpuFlags: [String] = []
#endif

let cpu: [SwiftSetting] = [.unsafeFlags(cpuFlags)]

/// Only the numeric kernels drop Swift's overflow and bounds checks in release (`-Ounchecked`):
/// their loops run over shapes that `check` has validated first. Every target that reads user
/// files keeps the checks, so a parser bug traps instead of reading out of bounds.
let numeric: [SwiftSetting] = cpu + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "finecliper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "finecliper", targets: ["finecliper"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .target(name: "TensorCore", dependencies: ["CBLAS"], swiftSettings: numeric),
        .target(name: "ConfigFiles", dependencies: ["TensorCore", .product(name: "TOMLKit", package: "TOMLKit")], swiftSettings: cpu),
        .target(name: "Media", dependencies: ["TensorCore", "CFFmpeg"], swiftSettings: cpu),
        .target(name: "Datasets", dependencies: ["TensorCore", "Media"], swiftSettings: cpu),
        .target(name: "Face", dependencies: ["TensorCore", "Media"], swiftSettings: cpu),
        .target(name: "CLIP", dependencies: ["TensorCore", "Media"], swiftSettings: cpu),
        .target(name: "FineCLIPER", dependencies: ["TensorCore", "CLIP"], swiftSettings: cpu),
        .target(name: "Training", dependencies: ["TensorCore", "ConfigFiles", "Media", "Datasets", "Face", "CLIP", "FineCLIPER"], swiftSettings: cpu),
        .target(name: "Workbench", dependencies: ["Media", "Datasets", "Face", "CLIP", "FineCLIPER", "Training"], swiftSettings: cpu),
        .target(name: "TUI", dependencies: ["Workbench", "ConfigFiles", "CNCurses"], swiftSettings: cpu),
        .executableTarget(name: "finecliper", dependencies: [
            "TensorCore", "ConfigFiles", "Media", "Datasets", "Face", "CLIP", "FineCLIPER", "Training", "Workbench", "TUI", "CBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: cpu),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CBLAS", .product(name: "PropertyBased", package: "swift-property-based")], swiftSettings: cpu),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestSupport"], swiftSettings: cpu),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Media", "TensorCore", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "TensorCore", "Media", "TestSupport"], swiftSettings: cpu),
        .testTarget(name: "FineCLIPERTests", dependencies: ["FineCLIPER", "CLIP", "TensorCore", "TestSupport"], swiftSettings: cpu),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "FineCLIPER", "CLIP", "Datasets", "Face", "Media", "TensorCore", "TestSupport"], swiftSettings: cpu),
        .testTarget(name: "ConfigFilesTests", dependencies: ["ConfigFiles", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "FaceTests", dependencies: ["Face", "Datasets", "Media", "TensorCore", "TestSupport"], swiftSettings: cpu),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Media", "Training", "TestSupport"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Workbench", "ConfigFiles", "Media", "Datasets", "Training", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")], exclude: ["Golden"]),
        .testTarget(name: "PlatformTests", dependencies: ["CBLAS", "CNCurses", "CFFmpeg", "TestSupport", "finecliper"]),
    ]
)
