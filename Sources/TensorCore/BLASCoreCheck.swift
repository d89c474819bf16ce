import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS picks its kernels once, when the library loads, from a table of CPUs it knows.
/// Debian 12's 0.3.21 does not know CPUs newer than it (seen: Intel family 6 model 207) and falls
/// back to its SSE3 "Prescott" kernels, 4× slower than the AVX-512 ones the same CPU runs
/// (measured: 27 against 110 GFLOP/s per core). The choice can only be changed through the
/// OPENBLAS_CORETYPE variable before the library loads, so a process that finds itself on the
/// fallback re-executes itself once with the variable naming the family its CPU supports. A
/// variable the user set is left alone.
public enum BLASCoreCheck {
    /// OpenBLAS's generic fallbacks for x86-64.
    static let fallbacks: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine", "Northwood", "Banias"]

    /// The kernel family to ask for, from the CPU's flags, or nil when OpenBLAS's own choice stands.
    public static func betterCore(current: String, cpuFlags: Set<String>) -> String? {
        guard fallbacks.contains(current) else { return nil }
        if cpuFlags.contains("avx512_bf16") { return "Cooperlake" }
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512bw") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }

    /// Re-executes the process with OPENBLAS_CORETYPE set when OpenBLAS fell back to slow kernels;
    /// returns (doing nothing) otherwise, or when the re-execution cannot happen.
    public static func reexecIfSlow() {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let core = betterCore(current: BLAS.coreName, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: carry on with the slow kernels.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
