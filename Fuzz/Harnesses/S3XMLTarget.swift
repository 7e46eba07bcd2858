import Foundation
@testable import JobKit

/// S3's XML answers (`jobs watch s3://…`, the S3 summary sink): listings and error documents.
enum S3XMLTarget {
    static let s3xml = FuzzTarget(
        name: "s3-xml",
        summary: "S3XML.parse, S3Client.parseListPage and parseError; a tree is at most S3XML.maxDepth deep, listed sizes >= 0",
        maxLength: 8 << 10,
        dictionary: "s3-xml"
    ) { input in
        let bytes = Array(input)
        let root = S3XML.parse(bytes)
        if let root { require(depth(of: root) <= S3XML.maxDepth, "a tree deeper than \(S3XML.maxDepth) levels") }
        let text = String(decoding: bytes, as: UTF8.self)
        let (code, message) = S3Client.parseError(text)
        if let code { require(!code.isEmpty || root == nil, "an empty error code from a parsed document") }
        if let message { require(!message.isEmpty || root == nil, "an empty error message from a parsed document") }
        if let page = try? S3Client.parseListPage(bytes, operation: "listing s3://fuzz/") {
            require(root?.name == "ListBucketResult", "a listing from a document that is not a ListBucketResult")
            require(page.objects.allSatisfy { $0.size >= 0 }, "an object with a negative size")
        }
    }

    /// Levels of elements under and including `element` (a tree within the limit, so recursion is bounded).
    private static func depth(of element: S3XMLElement) -> Int {
        1 + (element.children.map(depth(of:)).max() ?? 0)
    }
}
