#include "blas_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The CBLAS ABI of Debian's OpenBLAS (32-bit integers; enums as int). */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn sgemm;
static char problem[512];

static void load(void) {
    const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *library = NULL;
    for (int i = 0; i < 2 && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(problem, sizeof problem, "cannot load OpenBLAS (Debian's libopenblas0): %s", why ? why : "not found");
        return;
    }
    set_threads_fn set_threads = (set_threads_fn)dlsym(library, "openblas_set_num_threads");
    sgemm_fn found = (sgemm_fn)dlsym(library, "cblas_sgemm");
    if (!set_threads || !found) {
        snprintf(problem, sizeof problem, "the OpenBLAS library found lacks %s",
                 found ? "openblas_set_num_threads" : "cblas_sgemm");
        return;
    }
    set_threads(1);
    sgemm = found;
}

const char *ytce_blas_load(void) {
    pthread_once(&once, load);
    return sgemm ? NULL : problem;
}

void ytce_sgemm(int transposeA, int transposeB, int m, int n, int k, float alpha, const float *a, int lda,
                const float *b, int ldb, float beta, float *c, int ldc) {
    sgemm(ROW_MAJOR, transposeA ? TRANS : NO_TRANS, transposeB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb,
          beta, c, ldc);
}
