/*
 * roles_test — the route table's roles column against the README's role
 * table ("## Roles"): one README row per route, in the table's order, and
 * a cell other than "no" exactly where the route admits the role
 * ("public" on the public routes). The integration test
 * (tests/integration/roles_test.c) checks the same README table against
 * a real node's answers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"

#define MAX_ROWS 128

typedef struct readme_row {
    char endpoint[160];
    char cell[3][16]; /* admin, coordinator, national */
} readme_row;

/* The rows of the README's "## Roles" table. OUT: *n. */
static readme_row *
readme_rows(size_t *n) {
    FILE *f = fopen(MN_README, "r");
    char line[512];
    bool in = false;
    readme_row *rows = calloc(MAX_ROWS, sizeof *rows);
    assert_non_null(f);
    *n = 0;
    while (fgets(line, sizeof line, f) && *n < MAX_ROWS) {
        if (strncmp(line, "## ", 3) == 0)
            in = strncmp(line, "## Roles", 8) == 0;
        readme_row *r = &rows[*n];
        if (in && sscanf(line, "| `%159[^`]` | %15s | %15s | %15s |",
                         r->endpoint, r->cell[0], r->cell[1], r->cell[2]) == 4)
            (*n)++;
    }
    fclose(f);
    return rows;
}

static void
test_readme_is_the_route_table(void **state) {
    static const mn_api_role roles[] = {MN_API_ADMIN, MN_API_COORDINATOR,
                                        MN_API_NATIONAL};
    char want[160];
    size_t n;
    (void)state;
    readme_row *rows = readme_rows(&n);
    if (n != mn_api_route_count())
        fail_msg("README: %zu role rows, the route table %zu routes", n,
                 mn_api_route_count());
    for (size_t i = 0; i < n; i++) {
        const mn_api_route *rt = mn_api_route_at(i);
        mn_api_route_endpoint(rt, want, sizeof want);
        if (strcmp(rows[i].endpoint, want) != 0)
            fail_msg("README row %zu: %s, the route table %s", i,
                     rows[i].endpoint, want);
        for (size_t k = 0; k < 3; k++) {
            const char *cell = rows[i].cell[k];
            bool admits = rt->roles & MN_API_ROLE(roles[k]);
            if (rt->public && strcmp(cell, "public") != 0)
                fail_msg("README %s: '%s' for a public route", want, cell);
            if (admits != (strcmp(cell, "no") != 0))
                fail_msg("README %s: '%s' for role %zu, the table %s", want,
                         cell, k, admits ? "admits it" : "does not");
        }
    }
    free(rows);
}

/* Every route admits the admin (today's full access is kept). */
static void
test_admin_everywhere(void **state) {
    (void)state;
    for (size_t i = 0; i < mn_api_route_count(); i++)
        assert_true(mn_api_route_at(i)->roles & MN_API_ROLE(MN_API_ADMIN));
    assert_null(mn_api_route_at(mn_api_route_count()));
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readme_is_the_route_table),
        cmocka_unit_test(test_admin_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
