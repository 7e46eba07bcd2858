#ifndef YTCE_BLAS_LOADER_H
#define YTCE_BLAS_LOADER_H

/* OpenBLAS, loaded only when a model needs it. Linked at start, its thread pool started with every command and
   spun on a core for ~0.2 s (sched_yield) while a hash pack's build or an ask wanted both cores; ytce runs it
   single-threaded anyway (it parallelises across sequences itself). */

/* Loads libopenblas.so.0 once and makes it single-threaded. NULL on success, else why it failed. Thread-safe. */
const char *ytce_blas_load(void);

/* cblas_sgemm in row-major order; only after ytce_blas_load succeeded. */
void ytce_sgemm(int transposeA, int transposeB, int m, int n, int k, float alpha, const float *a, int lda,
                const float *b, int ldb, float beta, float *c, int ldc);

#endif
