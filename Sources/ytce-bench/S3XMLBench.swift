import Foundation
import JobKit

/// `ytce-bench --s3xml [RUNS]`: parses a realistic ListObjectsV2 page (1,000 keys, as S3 sends by default) RUNS
/// times (default 200) and prints the median CPU time per page and the throughput.
enum S3XMLBench {
    /// A page as AWS writes it: namespace, continuation token, keys with entities and non-ASCII, quoted ETags.
    static func listingPage(keys: Int = 1000) -> [UInt8] {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>analyst-transcripts</Name><Prefix>channels/</Prefix>"#
        xml += "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
        xml += "<KeyCount>\(keys)</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
        for i in 0..<keys {
            let key = "channels/py4e/2024/episode-\(String(format: "%05d", i)) – Q&amp;A about chapter \(i % 17) (café edition).txt"
            let etag = String(format: "%08x%08x%08x%08x", i &* 2_654_435_761 & 0xffff_ffff, i, i &* 40503 & 0xffff, 7)
            xml += "<Contents><Key>\(key)</Key><LastModified>2024-\(String(format: "%02d", i % 12 + 1))-0\(i % 9 + 1)T12:34:56.000Z</LastModified>"
            xml += "<ETag>&quot;\(etag)&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><Size>\(40_000 + i * 37)</Size>"
            xml += "<StorageClass>STANDARD</StorageClass></Contents>"
        }
        xml += "</ListBucketResult>"
        return Array(xml.utf8)
    }

    static func run(runs: Int) throws {
        let page = listingPage()
        var times: [Double] = []
        var objects = 0
        for _ in 0..<runs {
            // CPU time of this thread: the machine may be busy with other work, which wall time would count.
            let started = threadCPUMilliseconds()
            objects = try S3Client.parseListPage(page, operation: "bench").objects.count
            times.append(threadCPUMilliseconds() - started)
        }
        times.sort()
        let median = times[times.count / 2]
        print(String(format: "s3xml: a ListObjectsV2 page of %d keys (%d KiB): median %.2f ms CPU per page (p10 %.2f, p90 %.2f) over %d runs, %.0f MB/s",
                     objects, page.count / 1024, median, times[times.count / 10], times[times.count * 9 / 10], runs, Double(page.count) / median / 1000))
    }

    static func threadCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }
}
