/*
 * res_backup — GET /v1/backup: a compact copy of the store, streamed as
 * application/octet-stream. The copy is first written to an unlinked file
 * in data_dir (which needs that much room); the node marks it as a backup,
 * so a node started on it knows it was restored.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/kind_json.h"
#include "api/resource.h"

/* A compact copy into an unlinked file under the data dir, then streamed:
 * a hot backup never blocks writers (LMDB copies a read snapshot). */
enum MHD_Result
mn_api_backup(mn_http *h, struct MHD_Connection *c, const char *id,
              mn_api_request *r) {
    char path[PATH_MAX + 32];
    struct stat st;
    (void)id;
    snprintf(path, sizeof path, "%s/backup-XXXXXX",
             mn_node_config(h->node)->data_dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return mn_api_send_failure(c, MN_EIO);
    close(fd);
    unlink(path); /* mn_store_backup creates it afresh */
    int rc = mn_node_backup(h->node, path);
    fd = rc == MN_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(path); /* the open descriptor keeps the copy until it is sent */
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return mn_api_send_failure(c, rc == MN_OK ? MN_EIO : rc);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    /* The copy holds every field of every class: the audit log says so. */
    mn_api_saw(r, NULL, NULL,
               MN_KIND_JSON_CLASS(MN_VIS_PERSONAL) |
                   MN_KIND_JSON_CLASS(MN_VIS_SPECIAL));
    return ok;
}
