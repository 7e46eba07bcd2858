#ifndef CHNSW_H
#define CHNSW_H

// A thin C shim over hnswlib (Debian's libhnswlib-dev, header-only): it builds an HNSW graph over a row-major
// float32 matrix of unit-length rows (inner-product space) and writes the graph only, not the vectors, in
// ytce's own format (documented in Sources/PackKit/Index/HNSWGraph.swift). Searching is done in Swift.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Builds the graph of `rows` rows of `dim` floats at `data` (row r at data + r * dim, labelled r) and writes
/// it to `path` (created or truncated). `m` is hnswlib's M (links per node on the upper levels; 2 * m on
/// level 0), `ef_construction` its build-time beam width, `threads` the number of inserting threads (row 0 is
/// inserted first, alone), `seed` seeds the level generator, and `fingerprint` is copied into the header.
/// Returns 0 on success; otherwise non-zero with a one-line, NUL-terminated message in `error` (at most
/// `error_capacity` bytes) and `path` possibly left partly written.
int chnsw_build_graph(const float *data, uint64_t rows, uint32_t dim, uint32_t m, uint32_t ef_construction,
                      uint32_t threads, uint64_t seed, uint64_t fingerprint, const char *path,
                      char *error, size_t error_capacity);

/// Asks the CPU to start loading the cache line at `address` (no effect on the program's result). The Swift
/// search calls it for the rows it is about to score: rows are 1.5 KB apart in a matrix of hundreds of MB, so
/// each neighbour would otherwise stall on memory.
static inline void chnsw_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#ifdef __cplusplus
}
#endif

#endif
