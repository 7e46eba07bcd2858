// Builds an HNSW graph with hnswlib and exports the graph (not the vectors) in ytce's format: see
// Sources/PackKit/Index/HNSWGraph.swift for the layout, which this file must match.

#include "chnsw.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CHNSW_X86 1
#endif

namespace {

constexpr uint32_t kVersion = 1;
constexpr uint32_t kHeaderBytes = 64;
constexpr uint32_t kMetricInnerProduct = 1;

void set_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    std::string line = message;
    std::replace(line.begin(), line.end(), '\n', ' ');
    size_t n = std::min(line.size(), capacity - 1);
    std::memcpy(error, line.data(), n);
    error[n] = '\0';
}

// Little-endian output through a buffered FILE*; the first failure is kept and reported by finish().
class Writer {
public:
    explicit Writer(const char *path) : path_(path), file_(std::fopen(path, "wb")) {
        if (file_ == nullptr) fail();
        else std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    }
    ~Writer() { if (file_ != nullptr) std::fclose(file_); }

    void bytes(const void *data, size_t count) {
        if (!ok_ || count == 0) return;
        if (std::fwrite(data, 1, count, file_) != count) fail();
    }
    void u8(uint8_t v) { bytes(&v, 1); }
    void u32(uint32_t v) {
        unsigned char b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
        bytes(b, 4);
    }
    void u64(uint64_t v) { u32(uint32_t(v)); u32(uint32_t(v >> 32)); }

    // Flushes, syncs and closes; returns an empty string or the reason of the first failure.
    std::string finish() {
        if (file_ != nullptr) {
            if (ok_ && std::fflush(file_) != 0) fail();
            if (ok_ && fsync(fileno(file_)) != 0) fail();
            if (std::fclose(file_) != 0 && ok_) fail();
            file_ = nullptr;
        }
        return ok_ ? std::string() : reason_;
    }

private:
    void fail() {
        if (!ok_) return;
        ok_ = false;
        reason_ = "cannot write " + path_ + ": " + std::strerror(errno);
    }
    std::string path_;
    FILE *file_;
    bool ok_ = true;
    std::string reason_;
};

using Index = hnswlib::HierarchicalNSW<float>;

#ifdef CHNSW_X86
// 1 - dot product with AVX2 and FMA, chosen at run time: the target is compiled for baseline x86-64, where
// hnswlib's own distance uses SSE only, and distances are most of the build time.
__attribute__((target("avx2,fma"))) float inner_product_distance_avx2(const void *a, const void *b, const void *param) {
    const float *x = static_cast<const float *>(a), *y = static_cast<const float *>(b);
    size_t n = *static_cast<const size_t *>(param), i = 0;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    }
    s0 = _mm256_add_ps(s0, s1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float sum = _mm_cvtss_f32(h);
    for (; i < n; ++i) sum += x[i] * y[i];
    return 1.0f - sum;
}
#endif

// hnswlib's inner-product space, with the AVX2 distance when the CPU has it.
class InnerProductSpace : public hnswlib::SpaceInterface<float> {
public:
    explicit InnerProductSpace(size_t dim) : fallback_(dim), dim_(dim), distance_(fallback_.get_dist_func()) {
#ifdef CHNSW_X86
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) distance_ = inner_product_distance_avx2;
#endif
    }
    size_t get_data_size() override { return dim_ * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
    void *get_dist_func_param() override { return &dim_; }

private:
    hnswlib::InnerProductSpace fallback_;
    size_t dim_;
    hnswlib::DISTFUNC<float> distance_;
};

// hnswlib keeps a list's count in the low 16 bits of its first word.
inline uint32_t list_count(const hnswlib::linklistsizeint *list) { return *reinterpret_cast<const unsigned short *>(list); }

std::string export_graph(const Index &index, uint64_t rows, uint32_t dim, uint32_t m, uint32_t m0,
                         uint64_t fingerprint, const char *path) {
    // Labels are row numbers; internal ids are whatever order the threads inserted in.
    std::vector<hnswlib::tableint> internal_of(rows);
    std::vector<uint32_t> label_of(rows);
    for (hnswlib::tableint id = 0; id < rows; ++id) {
        hnswlib::labeltype label = index.getExternalLabel(id);
        if (label >= rows) return "internal error: label " + std::to_string(label) + " out of range";
        internal_of[label] = id;
        label_of[id] = uint32_t(label);
    }
    uint64_t upper_words = 0;
    for (uint64_t r = 0; r < rows; ++r) {
        int level = index.element_levels_[internal_of[r]];
        if (level < 0 || level > 255) return "internal error: node level " + std::to_string(level) + " out of range 0...255";
        upper_words += uint64_t(level) * (m + 1);
    }
    if (upper_words > UINT32_MAX) return "graph too large: " + std::to_string(upper_words) + " upper-level link words";
    if (index.maxlevel_ < 0 || index.maxlevel_ > 255) return "internal error: max level out of range";

    Writer out(path);
    out.bytes("YTCEHNSW", 8);
    out.u32(kVersion);
    out.u32(kHeaderBytes);
    out.u64(rows);
    out.u32(dim);
    out.u32(m);
    out.u32(m0);
    out.u32(label_of[index.enterpoint_node_]);
    out.u32(uint32_t(index.maxlevel_));
    out.u32(kMetricInnerProduct);
    out.u64(upper_words);
    out.u64(fingerprint);

    auto write_list = [&](const hnswlib::linklistsizeint *list, uint32_t slots) -> std::string {
        uint32_t count = list_count(list);
        if (count > slots) return "internal error: a list holds " + std::to_string(count) + " links, more than " + std::to_string(slots);
        const hnswlib::tableint *ids = reinterpret_cast<const hnswlib::tableint *>(list + 1);
        out.u32(count);
        for (uint32_t i = 0; i < count; ++i) out.u32(label_of[ids[i]]);
        for (uint32_t i = count; i < slots; ++i) out.u32(0);
        return std::string();
    };
    // Level 0: one fixed slot of 1 + m0 words per row.
    for (uint64_t r = 0; r < rows; ++r) {
        std::string problem = write_list(index.get_linklist0(internal_of[r]), m0);
        if (!problem.empty()) return problem;
    }
    // Levels, one byte per row, padded to 4 bytes.
    for (uint64_t r = 0; r < rows; ++r) out.u8(uint8_t(index.element_levels_[internal_of[r]]));
    for (uint64_t r = rows; r % 4 != 0; ++r) out.u8(0);
    // Where each row's upper lists start in the upper table, in words.
    uint64_t offset = 0;
    for (uint64_t r = 0; r < rows; ++r) {
        out.u32(uint32_t(offset));
        offset += uint64_t(index.element_levels_[internal_of[r]]) * (m + 1);
    }
    // The upper table: for each row, levels 1...level, each 1 + m words.
    for (uint64_t r = 0; r < rows; ++r) {
        hnswlib::tableint id = internal_of[r];
        for (int level = 1; level <= index.element_levels_[id]; ++level) {
            std::string problem = write_list(index.get_linklist(id, level), m);
            if (!problem.empty()) return problem;
        }
    }
    return out.finish();
}

}  // namespace

extern "C" int chnsw_build_graph(const float *data, uint64_t rows, uint32_t dim, uint32_t m, uint32_t ef_construction,
                                 uint32_t threads, uint64_t seed, uint64_t fingerprint, const char *path,
                                 char *error, size_t error_capacity) {
    if (data == nullptr || rows == 0 || dim == 0 || path == nullptr) {
        set_error(error, error_capacity, "nothing to index (no rows, no columns or no path)");
        return 1;
    }
    if (rows >= UINT32_MAX) {
        set_error(error, error_capacity, "too many rows for 32-bit node ids: " + std::to_string(rows));
        return 1;
    }
    if (m < 2 || m > 1024 || ef_construction == 0) {
        set_error(error, error_capacity, "M must be in 2...1024 and efConstruction positive (got M " + std::to_string(m) +
                                             ", efConstruction " + std::to_string(ef_construction) + ")");
        return 1;
    }
    try {
        InnerProductSpace space(dim);
        auto index = std::make_unique<Index>(&space, size_t(rows), size_t(m), size_t(ef_construction), size_t(seed));
        if (index->maxM0_ != 2 * size_t(m) || index->maxM_ != size_t(m)) {
            set_error(error, error_capacity, "unexpected hnswlib layout (maxM0 != 2 * M)");
            return 1;
        }
        index->addPoint(data, 0);
        std::atomic<uint64_t> next{1};
        std::mutex failure_lock;
        std::string failure;
        std::atomic<bool> stop{false};
        auto work = [&]() {
            try {
                while (!stop.load(std::memory_order_relaxed)) {
                    uint64_t r = next.fetch_add(1, std::memory_order_relaxed);
                    if (r >= rows) break;
                    index->addPoint(data + r * dim, hnswlib::labeltype(r));
                }
            } catch (const std::exception &e) {
                std::lock_guard<std::mutex> guard(failure_lock);
                if (failure.empty()) failure = e.what();
                stop = true;
            }
        };
        uint32_t lanes = std::max<uint32_t>(1, std::min<uint64_t>(threads, rows));
        std::vector<std::thread> pool;
        for (uint32_t t = 1; t < lanes; ++t) {
            try { pool.emplace_back(work); } catch (const std::system_error &) { break; }  // fewer threads, same graph quality
        }
        work();
        for (auto &thread : pool) thread.join();
        if (!failure.empty()) {
            set_error(error, error_capacity, "hnswlib: " + failure);
            return 1;
        }
        std::string problem = export_graph(*index, rows, dim, m, 2 * m, fingerprint, path);
        if (!problem.empty()) {
            set_error(error, error_capacity, problem);
            return 1;
        }
        return 0;
    } catch (const std::bad_alloc &) {
        set_error(error, error_capacity, "out of memory building the graph of " + std::to_string(rows) + " rows");
        return 1;
    } catch (const std::exception &e) {
        set_error(error, error_capacity, std::string("hnswlib: ") + e.what());
        return 1;
    }
}
