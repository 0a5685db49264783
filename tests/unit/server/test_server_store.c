/*
 * Tests for the server's store on SQLite (server_store.c): migrations applied once, the queue
 * (claim order, leases that expire and are claimed again, renewal keeping a job, a job put
 * back for a later try), idempotent result writes, failures, per-state counts, inventories
 * and the shared layer cache. The PostgreSQL side runs the same
 * SQL and is exercised by tests/integration/test_server_*.py against a real cluster.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "server/server_int.h"

struct fixture {
    char dir[64];
    char path[128];
    struct bsn_store *s;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/bsn-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    struct bsn_err err = { 0 };
    if (bsn_store_open(f->path, 4, &f->s, &err) != BSN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    bsn_store_close(f->s);
    char p[160];
    const char *suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void
add(struct bsn_store *s, const char *id, int64_t at)
{
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_store_job_add(s, id, "{\"r\":1}", "sha256:d", at, &err), BSN_OK);
}

static void
test_migrations_once(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(bsn_store_schema_version(f->s), 2);
    /* a second open of the same file applies nothing again */
    struct bsn_store *again = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_store_open(f->path, 2, &again, &err), BSN_OK);
    assert_int_equal(bsn_store_schema_version(again), 2);
    bsn_store_close(again);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM bosun_schema", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A scan put back for another try: claimable again only once its wait is over, by anyone,
 * with its attempt counted and its error kept. */
static void
test_retry(void **state)
{
    struct fixture *f = *state;
    struct bsn_err err = { 0 };
    add(f->s, "job-r", 1000);
    struct bsn_store_job j;
    bool got = false;
    assert_int_equal(bsn_store_job_claim(f->s, "w1", 2000, 60000, &j, &got, &err), BSN_OK);
    assert_true(got);
    bsn_store_job_release(&j);
    assert_int_equal(bsn_store_job_retry(f->s, "job-r", "registry down", 3000, 8000, &err),
                     BSN_OK);
    /* w1's lease renewals no longer hold it */
    assert_int_equal(bsn_store_lease_renew(f->s, "w1", 100000, &err), BSN_OK);
    assert_int_equal(bsn_store_job_claim(f->s, "w2", 7999, 60000, &j, &got, &err), BSN_OK);
    assert_false(got);
    bool found = false;
    assert_int_equal(bsn_store_job_get(f->s, "job-r", &j, &found, &err), BSN_OK);
    assert_true(found);
    assert_int_equal(j.state, BSN_JOB_RUNNING); /* Harbor keeps polling */
    assert_string_equal(j.error, "registry down");
    bsn_store_job_release(&j);
    assert_int_equal(bsn_store_job_claim(f->s, "w2", 8001, 60000, &j, &got, &err), BSN_OK);
    assert_true(got);
    assert_string_equal(j.id, "job-r");
    assert_int_equal(j.attempts, 2);
    bsn_store_job_release(&j);
    /* a finished job is not put back */
    struct bsn_store_report rep = { .harbor = "{}", .json = "{}", .cyclonedx = "{}",
                                    .spdx = "{}", .inventory = "{}", .findings = "[]" };
    assert_int_equal(bsn_store_job_finish(f->s, "job-r", "sha256:d", &rep, 9000, &err), BSN_OK);
    assert_int_equal(bsn_store_job_retry(f->s, "job-r", "late", 9100, 20000, &err), BSN_OK);
    assert_int_equal(bsn_store_job_get(f->s, "job-r", &j, &found, &err), BSN_OK);
    assert_int_equal(j.state, BSN_JOB_DONE);
    bsn_store_job_release(&j);
}

/* The shared layer cache: bytes round-trip exactly (NUL and 0xff included), a missing key is
 * NULL, a second put replaces. */
static void
test_layer_cache(void **state)
{
    struct fixture *f = *state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7);
    size_t len = 0;
    assert_null(bsn_store_layer_get(f->s, "sha256:k1", &len));
    bsn_store_layer_put(f->s, "sha256:k1", data, sizeof(data), 1000);
    unsigned char *got = bsn_store_layer_get(f->s, "sha256:k1", &len);
    assert_non_null(got);
    assert_int_equal(len, sizeof(data));
    assert_memory_equal(got, data, sizeof(data));
    free(got);
    data[0] ^= 0xff;
    bsn_store_layer_put(f->s, "sha256:k1", data, 10, 2000);
    got = bsn_store_layer_get(f->s, "sha256:k1", &len);
    assert_non_null(got);
    assert_int_equal(len, 10);
    assert_memory_equal(got, data, 10);
    free(got);
    assert_null(bsn_store_layer_get(f->s, "sha256:other", &len));
}

static void
test_claim_order_and_lease(void **state)
{
    struct fixture *f = *state;
    struct bsn_err err = { 0 };
    add(f->s, "job-b", 2000);
    add(f->s, "job-a", 1000);
    struct bsn_store_job j;
    bool got = false;
    /* oldest first */
    assert_int_equal(bsn_store_job_claim(f->s, "w1", 5000, 1000, &j, &got, &err), BSN_OK);
    assert_true(got);
    assert_string_equal(j.id, "job-a");
    assert_int_equal(j.state, BSN_JOB_RUNNING);
    assert_int_equal(j.attempts, 1);
    assert_string_equal(j.request, "{\"r\":1}");
    bsn_store_job_release(&j);
    assert_int_equal(bsn_store_job_claim(f->s, "w2", 5000, 1000, &j, &got, &err), BSN_OK);
    assert_true(got);
    assert_string_equal(j.id, "job-b");
    bsn_store_job_release(&j);
    /* both held: nothing to claim before the leases end */
    assert_int_equal(bsn_store_job_claim(f->s, "w3", 5500, 1000, &j, &got, &err), BSN_OK);
    assert_false(got);
    /* w2 renews, w1 dies: after 6000 only job-a is claimable again */
    assert_int_equal(bsn_store_lease_renew(f->s, "w2", 9000, &err), BSN_OK);
    assert_int_equal(bsn_store_job_claim(f->s, "w3", 6500, 1000, &j, &got, &err), BSN_OK);
    assert_true(got);
    assert_string_equal(j.id, "job-a");
    assert_int_equal(j.attempts, 2);
    bsn_store_job_release(&j);
    assert_int_equal(bsn_store_job_claim(f->s, "w4", 6600, 1000, &j, &got, &err), BSN_OK);
    assert_false(got);
    uint64_t counts[BSN_JOB_STATES];
    assert_int_equal(bsn_store_job_counts(f->s, counts, &err), BSN_OK);
    assert_int_equal(counts[BSN_JOB_QUEUED], 0);
    assert_int_equal(counts[BSN_JOB_RUNNING], 2);
}

static void
test_finish_once(void **state)
{
    struct fixture *f = *state;
    struct bsn_err err = { 0 };
    add(f->s, "job-1", 1000);
    struct bsn_store_report rep = { .harbor = "{\"h\":1}", .json = "{\"j\":1}",
                                    .cyclonedx = "{}", .spdx = "{}", .inventory = "{\"p\":1}",
                                    .findings = "[]", .repository = "lib/a", .scan_ms = 5 };
    assert_int_equal(bsn_store_job_finish(f->s, "job-1", "sha256:d", &rep, 2000, &err), BSN_OK);
    /* a second worker finishing the same job (its lease had expired) changes nothing */
    struct bsn_store_report rep2 = rep;
    rep2.harbor = "{\"h\":2}";
    assert_int_equal(bsn_store_job_finish(f->s, "job-1", "sha256:d", &rep2, 3000, &err), BSN_OK);
    char *text = NULL;
    bool found = false;
    assert_int_equal(bsn_store_result_get(f->s, "job-1", "harbor", &text, &found, &err), BSN_OK);
    assert_true(found);
    assert_string_equal(text, "{\"h\":1}");
    free(text);
    assert_int_equal(bsn_store_result_get(f->s, "job-1", "json", &text, &found, &err), BSN_OK);
    assert_string_equal(text, "{\"j\":1}");
    free(text);
    assert_int_equal(bsn_store_result_get(f->s, "nope", "json", &text, &found, &err), BSN_OK);
    assert_false(found);
    assert_null(text);
    /* a late failure report does not undo a finished job */
    assert_int_equal(bsn_store_job_fail(f->s, "job-1", "boom", 4000, &err), BSN_OK);
    struct bsn_store_job j;
    assert_int_equal(bsn_store_job_get(f->s, "job-1", &j, &found, &err), BSN_OK);
    assert_true(found);
    assert_int_equal(j.state, BSN_JOB_DONE);
    bsn_store_job_release(&j);
    assert_int_equal(bsn_store_job_get(f->s, "missing", &j, &found, &err), BSN_OK);
    assert_false(found);
}

static void
test_fail(void **state)
{
    struct fixture *f = *state;
    struct bsn_err err = { 0 };
    add(f->s, "job-x", 1000);
    assert_int_equal(bsn_store_job_fail(f->s, "job-x", "manifest unknown: 'r@sha256:…'", 2000,
                                        &err),
                     BSN_OK);
    struct bsn_store_job j;
    bool found = false;
    assert_int_equal(bsn_store_job_get(f->s, "job-x", &j, &found, &err), BSN_OK);
    assert_int_equal(j.state, BSN_JOB_FAILED);
    assert_string_equal(j.error, "manifest unknown: 'r@sha256:…'");
    bsn_store_job_release(&j);
    uint64_t depth = 9;
    assert_int_equal(bsn_store_queue_depth(f->s, &depth, &err), BSN_OK);
    assert_int_equal(depth, 0);
}

struct seen {
    int n;
    char digest[80], findings[80];
};

static bsn_code
each_cb(void *arg, const char *digest, const char *repository, const char *inventory,
        const char *findings, struct bsn_err *err)
{
    (void)err;
    struct seen *s = arg;
    s->n++;
    snprintf(s->digest, sizeof(s->digest), "%s", digest);
    snprintf(s->findings, sizeof(s->findings), "%s", findings);
    assert_string_equal(repository, "lib/a");
    assert_string_equal(inventory, "{\"p\":2}");
    return BSN_OK;
}

static void
test_inventories(void **state)
{
    struct fixture *f = *state;
    struct bsn_err err = { 0 };
    add(f->s, "j1", 1000);
    add(f->s, "j2", 1001);
    struct bsn_store_report rep = { .harbor = "{}", .json = "{}", .cyclonedx = "{}",
                                    .spdx = "{}", .inventory = "{\"p\":1}", .findings = "[1]",
                                    .repository = "lib/a" };
    assert_int_equal(bsn_store_job_finish(f->s, "j1", "sha256:same", &rep, 2000, &err), BSN_OK);
    rep.inventory = "{\"p\":2}";
    assert_int_equal(bsn_store_job_finish(f->s, "j2", "sha256:same", &rep, 2001, &err), BSN_OK);
    struct seen s = { 0 };
    assert_int_equal(bsn_store_inventory_each(f->s, each_cb, &s, &err), BSN_OK);
    assert_int_equal(s.n, 1); /* one inventory per digest, the latest */
    assert_string_equal(s.digest, "sha256:same");
    assert_int_equal(bsn_store_inventory_set_findings(f->s, "sha256:same", "[2]", 7, 3000, &err),
                     BSN_OK);
    memset(&s, 0, sizeof(s));
    assert_int_equal(bsn_store_inventory_each(f->s, each_cb, &s, &err), BSN_OK);
    assert_string_equal(s.findings, "[2]");
}

static void
test_open_errors(void **state)
{
    (void)state;
    struct bsn_store *s = NULL;
    struct bsn_err err = { 0 };
    assert_int_equal(bsn_store_open("/nonexistent-dir/x/store.db", 1, &s, &err), BSN_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/store.db"));
    assert_int_equal(bsn_store_open("postgres://u:pw@127.0.0.1:1/db", 1, &s, &err), BSN_EIO);
    /* the password never reaches a message */
    assert_null(strstr(err.msg, "pw@"));
    assert_non_null(strstr(err.msg, "postgres://***@127.0.0.1:1/db"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order_and_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layer_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inventories, setup, teardown),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
