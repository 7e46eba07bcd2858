import Foundation
import HTTPKit

/// Uploading a file too large for one `PutObject` body in memory: S3's multipart upload (create, parts, complete;
/// abort on failure so no parts are left billed). Parts are read from the file one at a time.
extension S3Client {
    /// The part size: S3 wants at least 5 MiB per part (but the last) and at most 10,000 parts.
    public static let multipartPartBytes = 16 << 20

    /// Writes the file at `path` to `location`, in one request when it fits in a part, else in parts.
    /// `progress` gets the bytes sent and the total. Returns S3's ETag of the object.
    @discardableResult
    public func putFile(_ path: String, to location: S3Location, contentType: String = "application/octet-stream",
                        progress: @Sendable (_ done: Int64, _ total: Int64) -> Void = { _, _ in },
                        cancellation: HTTPCancellation? = nil) async throws(S3Error) -> String? {
        let operation = "writing \(location)"
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw S3Error(.configuration, "cannot read \(path) while \(operation)")
        }
        defer { try? handle.close() }
        let total: Int64
        do { total = Int64(try handle.seekToEnd()); try handle.seek(toOffset: 0) } catch {
            throw S3Error(.configuration, "cannot read \(path) while \(operation): \(error.localizedDescription)")
        }
        func read() throws(S3Error) -> [UInt8] {
            do { return [UInt8](try handle.read(upToCount: Self.multipartPartBytes) ?? Data()) } catch {
                throw S3Error(.configuration, "cannot read \(path) while \(operation): \(error.localizedDescription)")
            }
        }
        progress(0, total)
        if total <= Int64(Self.multipartPartBytes) {
            let etag = try await putObject(location, body: try read(), contentType: contentType, cancellation: cancellation)
            progress(total, total)
            return etag
        }
        guard total / Int64(Self.multipartPartBytes) < 10_000 else {
            throw S3Error(.invalidLocation, "\(path) is too large for S3 (\(total) bytes) while \(operation)")
        }
        var create = makeRequest(.post, bucket: location.bucket, key: location.key, query: [("uploads", "")])
        create.headers.set("Content-Type", contentType)
        let created = try await send(create, operation: operation, location: location, isObject: true, cancellation: cancellation)
        guard let uploadID = S3XML.parse(created.body)?.child("UploadId")?.text, !uploadID.isEmpty else {
            throw S3Error(.invalidResponse, "S3 answered no UploadId to CreateMultipartUpload while \(operation)")
        }
        do throws(S3Error) {
            var parts: [(number: Int, etag: String)] = []
            var sent: Int64 = 0
            while sent < total {
                let body = try read()
                guard !body.isEmpty else { throw S3Error(.configuration, "\(path) became shorter while \(operation)") }
                let number = parts.count + 1
                var request = makeRequest(.put, bucket: location.bucket, key: location.key,
                                          query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body)
                request.headers.set("Content-Type", contentType)
                let answer = try await send(request, operation: operation, location: location, isObject: true,
                                            cancellation: cancellation)
                guard let etag = answer.headers["ETag"], !etag.isEmpty else {
                    throw S3Error(.invalidResponse, "S3 answered no ETag for part \(number) while \(operation)")
                }
                parts.append((number, etag))
                sent += Int64(body.count)
                progress(sent, total)
            }
            let list = parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(Self.xmlEscaped($0.etag))</ETag></Part>" }
            let document = Array(("<CompleteMultipartUpload>" + list.joined() + "</CompleteMultipartUpload>").utf8)
            var complete = makeRequest(.post, bucket: location.bucket, key: location.key, query: [("uploadId", uploadID)],
                                       body: document)
            complete.headers.set("Content-Type", "application/xml")
            let done = try await send(complete, operation: operation, location: location, isObject: true, cancellation: cancellation)
            // S3 may answer 200 with an error document when completing fails late.
            let root = S3XML.parse(done.body)
            if root?.name == "Error" {
                let parsed = Self.parseError(done.text)
                throw S3Error(.service, "S3 error while \(operation) (completing the upload; \(parsed.code ?? "?"): \(parsed.message ?? ""))",
                              code: parsed.code)
            }
            return root?.child("ETag").map { Self.unquoted($0.text) }
        } catch {
            let abort = makeRequest(.delete, bucket: location.bucket, key: location.key, query: [("uploadId", uploadID)])
            _ = try? await http.send(abort)
            throw error
        }
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
