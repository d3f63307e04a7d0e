/*
 * files — see files.h.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
tl_write_file(const char *path, const void *p, size_t n, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    const char *z = p;
    int rc = 0;
    while (n > 0 && rc == 0) {
        ssize_t w = write(fd, z, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            z += w, n -= (size_t)w;
    }
    if (fchmod(fd, (mode_t)mode) != 0)
        rc = -1; /* an existing file keeps its mode otherwise */
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

int
tl_write_text(const char *path, const char *text, int mode) {
    return tl_write_file(path, text, strlen(text), mode);
}

char *
tl_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *p = malloc(cap);
    if (!p)
        abort(); /* out of memory in a test */
    while ((got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            p = realloc(p, cap *= 2);
            if (!p)
                abort();
        }
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

int
tl_copy_file(const char *src, const char *dst, int mode) {
    size_t n;
    char *p = tl_read_file(src, &n);
    if (!p)
        return -1;
    int rc = tl_write_file(dst, p, n, mode);
    free(p);
    return rc;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int
tl_rm_rf(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
tl_mkdir(const char *path) {
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int
tl_mkdtemp(const char *prefix, char *path, size_t size) {
    snprintf(path, size, "/tmp/%s.XXXXXX", prefix);
    return mkdtemp(path) ? 0 : -1;
}
