import Foundation
import XCTest
@testable import PackKit

/// A path that cannot be read gets a one-line message that says why, naming the path: a symbolic link loop
/// is not "no such file", a FIFO is not "permission", a folder named like a file is not "error 256".
final class UnreadableInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    private func readProblem(_ url: URL, file: StaticString = #filePath, line: UInt = #line) -> TranscriptProblem? {
        do {
            _ = try TranscriptReader.read(contentsOf: url)
            XCTFail("\(url.path) should not be readable", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testASymbolicLinkLoopIsNamedAsOne() throws {
        let loop = dir.appendingPathComponent("v1.srt")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: "v1.srt")
        XCTAssertEqual(readProblem(loop)?.description, "\(loop.path): cannot read file: is a symbolic link loop")
    }

    func testADanglingSymbolicLinkNamesItsTarget() throws {
        let link = dir.appendingPathComponent("v1.srt")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/nonexistent/captions.srt")
        XCTAssertEqual(readProblem(link)?.description,
                       "\(link.path): cannot read file: is a symbolic link to '/nonexistent/captions.srt', which does not exist")
    }

    /// A FIFO is refused without opening it for a blocking read (which would hang the build forever).
    func testAFIFOIsNotARegularFile() throws {
        let fifo = dir.appendingPathComponent("v1.srt")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        XCTAssertEqual(readProblem(fifo)?.description, "\(fifo.path): cannot read file: is a FIFO (named pipe), not a regular file")
    }

    func testTheBuildNamesEachUnreadableTranscript() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("loop", ""), ("pipe", ""), ("fine", "")], transcripts: ["fine.srt": TestSupport.srt(cues: 3)])
        let transcripts = input.appendingPathComponent("transcripts")
        try FileManager.default.createSymbolicLink(atPath: transcripts.appendingPathComponent("loop.srt").path, withDestinationPath: "loop.srt")
        XCTAssertEqual(mkfifo(transcripts.appendingPathComponent("pipe.vtt").path, 0o644), 0)
        let report = try PackBuilder(keepGoing: true).build(input: input, output: dir.appendingPathComponent("o.pack"))
        XCTAssertEqual(report.skipped.map(\.description).sorted(), [
            "\(transcripts.path)/loop.srt: cannot read file: is a symbolic link loop",
            "\(transcripts.path)/pipe.vtt: cannot read file: is a FIFO (named pipe), not a regular file",
        ])
        XCTAssertEqual(report.videosWithTranscript, 1)
    }

    func testAFolderNamedChannelJSONIsNamedAsAFolder() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", "")], transcripts: [:])
        try FileManager.default.removeItem(at: input.appendingPathComponent("channel.json"))
        try FileManager.default.createDirectory(at: input.appendingPathComponent("channel.json"), withIntermediateDirectories: false)
        XCTAssertThrowsError(try ChannelInput.load(from: input)) { error in
            XCTAssertEqual("\(error)", "\(input.path)/channel.json: cannot read: is a directory")
        }
        try FileManager.default.removeItem(at: input.appendingPathComponent("channel.json"))
        XCTAssertThrowsError(try ChannelInput.load(from: input)) { error in
            XCTAssertEqual("\(error)", "\(input.path)/channel.json: missing")
        }
    }

    func testAConfigThatIsAFolderIsNamedAsOne() throws {
        XCTAssertThrowsError(try PackConfig.load(from: dir)) { error in
            XCTAssertEqual("\(error)", "\(dir.path): cannot read: is a directory")
        }
    }

    func testAFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let file = dir.appendingPathComponent("big.srt")
        try Data(count: 11).write(to: file)
        XCTAssertThrowsError(try InputFile.read(file.path, limit: 10)) { error in
            XCTAssertEqual((error as? InputFile.Problem)?.reason, "is 11 bytes, more than the 10 bytes ytce reads")
        }
        XCTAssertEqual(try InputFile.read(file.path, limit: 11).count, 11)
        XCTAssertThrowsError(try InputFile.read("/dev/zero", limit: 1 << 20)) { error in
            XCTAssertEqual((error as? InputFile.Problem)?.reason, "is a character device, not a regular file")
        }
    }

    /// Bounded for every caller of `parse` (the jobs module reads files itself): past the bound, cue line offsets
    /// would no longer fit their 32 bits.
    func testATranscriptOverTheSizeLimitIsRefusedByTheParserToo() {
        XCTAssertThrowsError(try TranscriptReader.parse(Data(count: TranscriptReader.maxFileBytes + 1), fileName: "huge.srt")) { error in
            XCTAssertEqual("\(error)", "huge.srt: is 268435457 bytes, more than the 256 MiB ytce reads")
        }
    }
}
