/* placeholder: textbook Hungarian, O(n^2 m) */
#include "match/lap.h"
#include <limits.h>
#include <stdlib.h>
#include "base/util.h"
#include "mentornet/mentornet.h"
int
mn_lap_max(const int32_t *w, size_t n, size_t m, int32_t *col_of_row,
           int64_t *total) {
    if (n > m)
        return MN_EINVAL;
    int64_t *u = mn_calloc(n + 1, 8), *v = mn_calloc(m + 1, 8),
            *minv = mn_calloc(m + 1, 8);
    size_t *p = mn_calloc(m + 1, sizeof *p),
           *way = mn_calloc(m + 1, sizeof *way);
    char *used = mn_calloc(m + 1, 1);
    for (size_t i = 1; i <= n; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= m; j++)
            minv[j] = INT64_MAX, used[j] = 0;
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            int64_t delta = INT64_MAX;
            for (size_t j = 1; j <= m; j++)
                if (!used[j]) {
                    int64_t cur =
                        -(int64_t)w[(i0 - 1) * m + j - 1] - u[i0] - v[j];
                    if (cur < minv[j])
                        minv[j] = cur, way[j] = j0;
                    if (minv[j] < delta)
                        delta = minv[j], j1 = j;
                }
            for (size_t j = 0; j <= m; j++)
                if (used[j])
                    u[p[j]] += delta, v[j] -= delta;
                else
                    minv[j] -= delta;
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    *total = 0;
    for (size_t j = 1; j <= m; j++)
        if (p[j]) {
            col_of_row[p[j] - 1] = (int32_t)(j - 1);
            *total += w[(p[j] - 1) * m + j - 1];
        }
    free(u);
    free(v);
    free(minv);
    free(p);
    free(way);
    free(used);
    return MN_OK;
}
