/* OpenBLAS called from C on the ViT-B/16 GEMM shapes: the baseline for `finecliper bench tensor`.
 * Same call as the Swift side (row-major, B transposed as in nn.Linear), median of N runs.
 * Prints JSON lines: {"name":..., "threads":..., "ms":..., "rate":...}. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1, repeats = argc > 2 ? atoi(argv[2]) : 7;
    int shapes[2][3] = {{197, 768, 2304}, {3152, 768, 3072}};
    openblas_set_num_threads(threads);
    for (int s = 0; s < 2; s++) {
        int m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * n * k), *c = malloc(sizeof(float) * m * n);
        for (long i = 0; i < (long)m * k; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        for (long i = 0; i < (long)n * k; i++) b[i] = (float)((i * 104729) % 1000) / 20000.0f - 0.025f;
        double samples[64];
        if (repeats > 64) repeats = 64;
        for (int r = -1; r < repeats; r++) {
            double t0 = now_ms();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
            if (r >= 0) samples[r] = now_ms() - t0;
        }
        qsort(samples, repeats, sizeof(double), cmp);
        double ms = samples[repeats / 2];
        printf("{\"name\":\"C cblas_sgemm %dx%d·%dx%d\",\"threads\":%d,\"ms\":%f,\"rate\":%f,\"unit\":\"GFLOP/s\"}\n",
               m, k, k, n, threads, ms, 2.0 * m * n * k / ms / 1e6);
        free(a); free(b); free(c);
    }
    return 0;
}
