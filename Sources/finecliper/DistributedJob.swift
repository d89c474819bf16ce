import Foundation
import Training

/// A command's work under mpirun: an error on any rank is printed with its rank and ends the
/// whole job (MPI_Abort), so the other ranks do not wait for it forever in a collective; the
/// checkpoints already written stay as they are. A plain run just runs.
enum DistributedJob {
    static func run(_ communicator: Communicator, _ body: () throws -> Void) throws {
        guard communicator.size > 1 else { return try body() }
        do {
            try body()
        } catch {
            let (message, status) = ErrorReport.classify(error) ?? ("\(error)", .badData)
            ErrorReport.print("rank \(communicator.rank) of \(communicator.size): \(message); ending the job")
            communicator.abort(code: status.rawValue)
        }
    }
}
