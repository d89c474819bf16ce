import CLIP
import Foundation

/// A CLIP model folder's text files: config.json alone, and vocab.json + merges.txt (the input is
/// split at its first 0xFF byte, which valid UTF-8 never holds). An accepted tokenizer must also
/// tokenize without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? CLIPConfig(huggingFaceConfig: FuzzFile.write(bytes, name: "config.json"))
    let (vocab, merges) = FuzzFile.split(bytes)
    if let tokenizer = try? BPETokenizer(vocabJSON: FuzzFile.write(vocab, name: "vocab.json"),
                                         mergesFile: FuzzFile.write(merges, name: "merges.txt")) {
        _ = tokenizer.tokenize("A person with an expression of no happiness", contextLength: 16)
    }
    return 0
}
