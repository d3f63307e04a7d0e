/*
 * backup — `mentornet backup FILE`: save a consistent copy of the node's
 * store (README.md, "Backup and restore").
 *
 * Invariants:
 * - An existing FILE is never overwritten, nor an existing FILE.tmp.
 * - FILE appears only complete and synced: the copy is written to
 *   FILE.tmp, fsync'ed, then renamed with RENAME_NOREPLACE; on any
 *   failure FILE.tmp is removed and nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/output.h"

/* Open path.tmp for the download; it must not exist either. */
static int
backup_open(const char *path, char **tmp, FILE **f) {
    struct stat st;
    if (lstat(path, &st) == 0) {
        fprintf(stderr,
                "mentornet: %s exists; a backup never overwrites "
                "a file\n",
                path);
        return CLI_EXIT_USAGE;
    }
    if (errno != ENOENT)
        return mn_out_file_error(path);
    mn_buf b;
    mn_buf_init(&b);
    mn_out_printf(&b, "%s.tmp", path);
    *tmp = mn_out_take(&b);
    int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        fprintf(stderr,
                "mentornet: %s exists (left by an interrupted "
                "backup?); remove it first\n",
                *tmp);
        return CLI_EXIT_USAGE;
    }
    *f = fd < 0 ? NULL : fdopen(fd, "wb");
    if (!*f) {
        int rc = mn_out_file_error(*tmp);
        if (fd >= 0) {
            close(fd);
            unlink(*tmp);
        }
        return rc;
    }
    return 0;
}

static int
backup_run(mn_cli *c, const mn_args *a) {
    const char *path = a->pos[0];
    char *tmp = NULL;
    FILE *f = NULL;
    int rc = backup_open(path, &tmp, &f);
    if (rc != 0) {
        free(tmp);
        return rc;
    }
    mn_request rq = {"GET", "/backup", NULL, NULL, 0, 0, false};
    mn_response rs;
    mn_response_init(&rs);
    rs.save = f;
    rs.save_name = tmp;
    rc = mn_client_call(c->client, &rq, &rs);
    if (rc == 0 && rs.saved == 0) {
        fputs("mentornet: the node sent an empty backup\n", stderr);
        rc = CLI_EXIT_FAILED;
    }
    if (rc == 0)
        rc = mn_out_file_commit(f, tmp, path, false);
    else
        fclose(f);
    if (rc == 0)
        mn_out_file_report(c->json, path, rs.saved);
    else if (tmp)
        unlink(tmp);
    mn_response_release(&rs);
    free(tmp);
    return rc;
}

const mn_command mn_backup_commands[] = {
    {.name = "backup",
     .summary = "save a consistent copy of the node's store",
     .operands = "FILE",
     .npos = 1,
     .detail =
         "Writes FILE.tmp, then renames it to FILE; refuses an existing "
         "FILE.\n"
         "The copy is compact and taken while the node keeps working. To\n"
         "restore: stop the node, copy FILE to <data_dir>/data.mdb, remove\n"
         "<data_dir>/lock.mdb, start it.",
     .run = backup_run},
    {0},
};
