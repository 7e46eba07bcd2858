import Foundation
import JobKit
import PackKit
import XCTest

/// The job store's default place is the data folder `AppPaths` names.
final class JobStorePathTests: XCTestCase {
    func testStandardPathIsAppPathsJobStore() {
        for environment in [["HOME": "/h"], ["HOME": "/h", "XDG_DATA_HOME": "/x"], ["HOME": "/h", "YTCE_DATA_DIR": "/d"]] {
            XCTAssertEqual(JobStore.standardPath(environment: environment), AppPaths(environment: environment).jobStore)
        }
        XCTAssertEqual(JobStore.standardPath(environment: ["HOME": "/h", "YTCE_DATA_DIR": "/d"]), "/d/jobs.sqlite")
    }
}
