/// Process-wide allocator tuning for large tensors. By default glibc serves blocks above 32 MB
/// with fresh mmaps, so every 16-frame activation costs page faults and zeroing by the kernel on
/// each use; raising the thresholds lets freed tensors be reused instead. Called once by the
/// executable at start-up; harmless to call again.
public enum Allocator {
    public static func tuneForLargeTensors() {
        #if os(Linux)
        let mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1   // M_MMAP_THRESHOLD, M_TRIM_THRESHOLD (malloc.h)
        _ = glibcMallopt(mmapThreshold, 1 << 30)
        _ = glibcMallopt(trimThreshold, 1 << 30)
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt`, declared in malloc.h, which the Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
