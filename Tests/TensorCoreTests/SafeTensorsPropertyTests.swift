import Foundation
import PropertyBased
import Testing
import TensorCore

/// The safetensors writer and reader on generated files: any names (quotes, backslashes, control
/// and non-ASCII characters), shapes (empty and zero-sized included), F32 and F16 values.
@Suite struct SafeTensorsPropertyTests {
    @Test func safetensorsNamesShapesAndValuesReadBack() async {
        let name = Gen.latin1.filter { $0 != "\0" }.string(of: 1...12)
        let shape = Gen.int(in: 0...4).array(of: 0...3)
        let entry = zip(name, shape, Gen.float(in: -1e30...1e30), Gen.bool)
        await propertyCheck(count: 150, input: entry.array(of: 1...6)) { entries in
            var writer = SafeTensorsWriter(metadata: ["note": entries.first!.0])
            var expected: [String: Tensor] = [:]
            for (name, shape, value, half) in entries where expected[name] == nil && name != "__metadata__" {
                let count = shape.reduce(1, *)
                let t = Tensor(shape: shape, values: (0..<count).map { value * Float($0 % 7 + 1) / 7 })
                if half { writer.add(name, half: t); expected[name] = Tensor(shape: shape, values: t.scalars.map { Float(Float16($0)) }) }
                else { writer.add(name, t); expected[name] = t }
            }
            let path = NSTemporaryDirectory() + "finecliper-property-\(UUID().uuidString).safetensors"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try writer.write(to: path)
            let file = try SafeTensorsFile(path: path)
            #expect(Set(file.names) == Set(expected.keys) && file.metadata["note"] == entries.first!.0)
            for (name, t) in expected {
                let read = try file.tensor(name)
                #expect(read.shape == t.shape && read.scalars.elementsEqual(t.scalars) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name.debugDescription)")
            }
        }
    }
}
