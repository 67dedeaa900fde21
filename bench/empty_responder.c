/*
 * The baseline of bench/run.sh: the cheapest FastCGI responder that still does what appreg's transport does
 * for every request, so that "appreg req/s / this req/s" is the fraction of its own architecture's ceiling
 * that appreg reaches (issue 7).
 *
 * Per request: FCGX_Accept_r (N threads, each calling it directly; no accept mutex), read the whole body,
 * answer a fixed ~900-byte JSON object with the headers appreg sends (Status, Content-Type, Allow,
 * X-API-Request-Id with 32 fresh hex digits, X-API-Time), FCGX_Finish_r. No database, no parsing, no log.
 *
 * With --create-db, the same responder is the ceiling of appreg's architecture for POST /api/v2/applications/
 * (bench/run.sh's "ceiling" target, create case only): each POST hands appreg's create SQL to one writer
 * thread with group commit, as appreg's GroupCommitter does, and is answered 201 once its group's commit
 * returned (durable with synchronous=FULL). Per create, in one savepoint inside the group's BEGIN IMMEDIATE
 * ... COMMIT: the organization's name, the application's INSERT and the activity entry's INSERT, with the
 * same statements as src/store/ApplicationStore.cpp and src/store/ActivityStreamStore.cpp (keep them in
 * step). What appreg does besides is left out: no authentication, no JSON parsing or validation, no secret
 * hashing, no rendering, no log; name, client id and organization are made up here (unique name, 40 random
 * characters, round robin). --checkpoint-pages N copies the WAL back from a thread of its own as appreg's
 * db.checkpoint_pages does (run.sh passes appreg's value), writing the database file back in 1 MiB slices
 * before each fsync as appreg does (four in flight, while the WAL is under twice N); 0, the default, leaves it
 * to SQLite. --create-sql minimal replaces appreg's SQL by one INSERT of one row into a table of its own
 * (minimal_creates: an integer key and the name), with the same savepoint, group commit and checkpoints: what
 * this machine allows a durable create whose SQL costs next to nothing (bench/README.md, "Latest").
 * With --loop N instead of --listen, it serves nothing: it runs N made-up creates through the writer's
 * statements in groups of 16, in one thread, and prints the time per create (the cost of the SQL alone; on a
 * copy of a seeded database, which it changes).
 *
 * With --spin-us N, each request also burns N µs of its thread's CPU time before answering: a responder that
 * costs what appreg costs, for comparing latency at the same CPU per request (bench/README.md, "Reading the
 * numbers"; not used by run.sh).
 *
 * With --body-for URI FILE (repeatable), a GET whose REQUEST_URI is exactly URI is answered with FILE's bytes
 * instead: the ceiling of appreg's architecture for reads whose response is larger than the fixed body
 * (bench/run.sh's "ceiling" target in the list cases, fed with appreg's own response to the same URI). The
 * bytes, not the work, are what such a ceiling has in common with appreg: a ~20 KB list page passes through
 * libfcgi, lighttpd and wrk at a cost of its own.
 *
 *   gcc -O2 -Wall -Wextra -o empty_responder bench/empty_responder.c -lfcgi -lsqlite3 -lpthread
 *   empty_responder --listen /tmp/baseline.sock [--threads 4] [--backlog 128] [--spin-us N]
 *                   [--body-for URI FILE]... [--create-db appreg.db [--synchronous FULL]
 *                   [--checkpoint-pages N] [--create-sql appreg|minimal]]
 *   empty_responder --create-db appreg.db --loop N [--synchronous OFF] [--create-sql appreg|minimal]
 *
 * --listen takes a unix socket path (replaced if it exists) or ":PORT" / "HOST:PORT" for TCP.
 * SIGTERM or SIGINT ends the process at once (in-flight requests are dropped; with --create-db every answered
 * create was committed, and the group commit count goes to standard error first).
 * Built by bench/run.sh; not part of the CMake build.
 */
#define _GNU_SOURCE
#include <fcgiapp.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Shaped like appreg's application detail (GET /api/v2/applications/{id}/), padded to about 900 bytes. */
static const char kBody[] =
    "{\"id\":4711,\"type\":\"o_auth2_application\",\"url\":\"/api/v2/applications/4711/\","
    "\"related\":{\"tokens\":\"/api/v2/applications/4711/tokens/\","
    "\"activity_stream\":\"/api/v2/applications/4711/activity_stream/\","
    "\"organization\":\"/api/v2/organizations/7/\"},"
    "\"summary_fields\":{\"organization\":{\"id\":7,\"name\":\"org-0007\",\"description\":\"Benchmark "
    "organization\"},"
    "\"user_capabilities\":{\"edit\":true,\"delete\":true},\"tokens\":{\"count\":0,\"results\":[]}},"
    "\"created\":\"2025-01-01T00:00:00.004711Z\",\"modified\":\"2025-01-01T00:00:00.004711Z\","
    "\"name\":\"app-00004711\",\"description\":\"Seeded application 4711, an empty-responder body of the "
    "same shape "
    "and about the same size as appreg's application detail, padded to roughly nine hundred bytes.\","
    "\"client_id\":\"bench00000000000000000000000000004711\",\"client_secret\":\"************\","
    "\"client_type\":\"confidential\",\"redirect_uris\":\"https://app4711.example.com/callback\","
    "\"authorization_grant_type\":\"authorization-code\",\"skip_authorization\":false,\"organization\":7}";

static int g_listen_fd = -1;

/* xorshift64*: request ids only need to look like appreg's (32 hex digits), not to be unpredictable. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static long g_spin_us; /* --spin-us */

/* --body-for URI FILE: GET bodies by exact REQUEST_URI; any other request gets kBody. */
struct uri_body {
    const char *uri;
    char *body;
    int len;
};
enum { kMaxBodies = 16 };
static struct uri_body g_bodies[kMaxBodies];
static int g_n_bodies;

static void add_body(const char *uri, const char *path) {
    if (g_n_bodies == kMaxBodies) {
        fprintf(stderr, "empty_responder: at most %d --body-for\n", kMaxBodies);
        exit(2);
    }
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    char *body = size > 0 && size < (1L << 24) ? malloc((size_t)size) : NULL;
    if (body == NULL || fseek(f, 0, SEEK_SET) != 0 || fread(body, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "empty_responder: cannot read %s (missing, empty, over 16 MiB or unreadable)\n",
                path);
        exit(1);
    }
    fclose(f);
    g_bodies[g_n_bodies++] = (struct uri_body){uri, body, (int)size};
}

static void body_for(const char *method, const char *uri, const char **body, int *len) {
    *body = kBody;
    *len = (int)(sizeof kBody - 1);
    if (method == NULL || uri == NULL || strcmp(method, "GET") != 0) return;
    for (int i = 0; i < g_n_bodies; ++i) {
        if (strcmp(g_bodies[i].uri, uri) == 0) {
            *body = g_bodies[i].body;
            *len = g_bodies[i].len;
            return;
        }
    }
}

static long thread_cpu_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (long)t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/* ---- --create-db: appreg's create SQL through one writer thread with group commit ---------------------- */

struct create_job {
    char name[96];
    char client_id[41];
    char timestamp[128];
    long long organization;
    int failed;
    sem_t *finished; /* the waiting thread's own, as in appreg's GroupCommitter */
    struct create_job *next;
};

static const char *g_create_db;
static const char *g_synchronous = "FULL";
static int g_minimal_sql; /* --create-sql minimal: one INSERT of one row into a table of its own */
static long long g_organizations; /* ids 1..g_organizations exist (bench/lib.sh seeds them so) */
static pthread_mutex_t g_queue_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_queue_wake = PTHREAD_COND_INITIALIZER;
static struct create_job *g_queue_head, *g_queue_tail;
static long g_groups, g_writes, g_largest_group; /* under g_queue_mutex */

static void die_sqlite(sqlite3 *db, const char *what) {
    fprintf(stderr, "empty_responder: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        die_sqlite(db, sql);
    return stmt;
}

static int step_done(sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE;
}

/* ---- --checkpoint-pages N: the writer's WAL copied back by a thread of its own, as appreg's
 * store::Checkpointer does (src/store/Checkpointer.cpp; keep them in step). 0: SQLite's own automatic
 * checkpoint, run by the writer every 1,000 pages. */

static long long g_ckpt_pages;
static sqlite3 *g_ckpt_db; /* the checkpointer thread's own connection */
static pthread_mutex_t g_ckpt_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_ckpt_wake = PTHREAD_COND_INITIALIZER;
static unsigned long g_ckpt_generation;                        /* under g_ckpt_mutex */
static long g_ckpt_background, g_ckpt_inline, g_ckpt_restarts; /* under g_ckpt_mutex */
static long long g_ckpt_copied;                                /* __atomic: frames of this WAL copied */
static int g_ckpt_requested;                                   /* __atomic: a pass is wanted or running */
static long long g_wal_frames, g_next_inline;                  /* the writer thread's own */

static long long ckpt_remainder(void) {
    long long r = g_ckpt_pages / 16;
    return r < 64 ? 64 : r > 200 ? 200 : r;
}

static long long ckpt_remaining(void) {
    long long copied = __atomic_load_n(&g_ckpt_copied, __ATOMIC_RELAXED);
    return g_wal_frames - (copied < g_wal_frames ? copied : g_wal_frames);
}

static void ckpt_request(void) {
    if (__atomic_exchange_n(&g_ckpt_requested, 1, __ATOMIC_ACQ_REL)) return;
    pthread_mutex_lock(&g_ckpt_mutex); /* the thread reads g_ckpt_requested under it before it sleeps */
    pthread_mutex_unlock(&g_ckpt_mutex);
    pthread_cond_signal(&g_ckpt_wake);
}

/* After each commit of the writer: frames = the WAL's length. */
static int ckpt_wal_hook(void *arg, sqlite3 *db, const char *schema, int frames) {
    (void)arg;
    (void)db;
    (void)schema;
    if (frames < g_wal_frames) { /* the WAL started over at this transaction */
        pthread_mutex_lock(&g_ckpt_mutex);
        ++g_ckpt_generation;
        __atomic_store_n(&g_ckpt_copied, 0, __ATOMIC_RELAXED);
        ++g_ckpt_restarts;
        pthread_mutex_unlock(&g_ckpt_mutex);
        g_next_inline = 2 * g_ckpt_pages;
    }
    g_wal_frames = frames;
    long long left = ckpt_remaining();
    if (left >= g_ckpt_pages || (frames >= 2 * g_ckpt_pages && left > ckpt_remainder())) ckpt_request();
    return SQLITE_OK;
}

static int sync_db_file(sqlite3 *db) {
    sqlite3_file *file = NULL;
    int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
    if (rc != SQLITE_OK) return rc;
    if (file == NULL || file->pMethods == NULL) return SQLITE_MISUSE;
    return file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
}

/* The descriptor of the database file, read as appreg's store::databaseFileDescriptor reads it (unixFile::h,
 * checked against the file's device and inode), or -1. */
static int db_file_descriptor(sqlite3 *db) {
    sqlite3_vfs *vfs = NULL;
    sqlite3_file *file = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK || vfs == NULL ||
        strcmp(vfs->zName, "unix") != 0)
        return -1;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == NULL ||
        file->pMethods == NULL)
        return -1;
    const size_t offset = 3 * sizeof(void *);
    if ((size_t)vfs->szOsFile < offset + sizeof(int)) return -1;
    int fd = -1;
    memcpy(&fd, (const unsigned char *)file + offset, sizeof fd);
    const char *name = sqlite3_db_filename(db, "main");
    struct stat by_name, by_fd;
    if (fd < 0 || name == NULL || stat(name, &by_name) != 0 || fstat(fd, &by_fd) != 0) return -1;
    return by_name.st_dev == by_fd.st_dev && by_name.st_ino == by_fd.st_ino ? fd : -1;
}

/* As appreg's checkpointer: the database file written back 1 MiB at a time, at most 4 slices on their way
 * to the disk, before its fsync. */
static void write_back_in_slices(int fd) {
    const off_t slice = 1 << 20, in_flight = 4;
    struct stat st;
    if (fstat(fd, &st) != 0) return;
    const off_t slices = (st.st_size + slice - 1) / slice;
    for (off_t k = 0; k < slices; ++k) {
        if (sync_file_range(fd, k * slice, slice, SYNC_FILE_RANGE_WRITE) != 0) return;
        if (k >= in_flight &&
            sync_file_range(fd, (k - in_flight) * slice, slice,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0)
            return;
    }
}

static void *checkpoint_loop(void *arg) {
    (void)arg;
    unsigned long synced_generation = 0;
    int synced = 0; /* frames of that generation's WAL copied and synced */
    const int fd = db_file_descriptor(g_ckpt_db);
    if (fd < 0) fprintf(stderr, "empty_responder: the database file's descriptor not found; one fsync per pass\n");
    for (;;) {
        pthread_mutex_lock(&g_ckpt_mutex);
        while (!__atomic_load_n(&g_ckpt_requested, __ATOMIC_ACQUIRE))
            pthread_cond_wait(&g_ckpt_wake, &g_ckpt_mutex);
        unsigned long generation = g_ckpt_generation;
        pthread_mutex_unlock(&g_ckpt_mutex);
        int wal = 0, copied = 0;
        int rc = sqlite3_wal_checkpoint_v2(g_ckpt_db, "main", SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
        if (generation != synced_generation) {
            synced_generation = generation;
            synced = 0;
        }
        if (rc == SQLITE_OK && copied > synced) {
            if (fd >= 0 && wal < 2 * g_ckpt_pages) write_back_in_slices(fd); /* while it keeps up */
            rc = sync_db_file(g_ckpt_db);
            if (rc == SQLITE_OK) synced = copied;
        }
        pthread_mutex_lock(&g_ckpt_mutex);
        ++g_ckpt_background;
        if (rc == SQLITE_OK && generation == g_ckpt_generation)
            __atomic_store_n(&g_ckpt_copied, copied, __ATOMIC_RELAXED);
        else if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            fprintf(stderr, "empty_responder: checkpoint failed: %s\n", sqlite3_errstr(rc));
        pthread_mutex_unlock(&g_ckpt_mutex);
        __atomic_store_n(&g_ckpt_requested, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* The writer, before it begins a group: copy the little that is left so that the WAL can start over. */
static void ckpt_before_write(sqlite3 *writer) {
    if (g_wal_frames < g_next_inline) return;
    if (ckpt_remaining() > ckpt_remainder() && g_wal_frames < 4 * g_ckpt_pages) return;
    int wal = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(writer, "main", SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
    g_next_inline = g_wal_frames + (g_ckpt_pages / 4 > 1 ? g_ckpt_pages / 4 : 1);
    pthread_mutex_lock(&g_ckpt_mutex);
    ++g_ckpt_inline;
    if (rc == SQLITE_OK) __atomic_store_n(&g_ckpt_copied, copied, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&g_ckpt_mutex);
}

/* The writer, with no create waiting. */
static void ckpt_idle(void) {
    if (ckpt_remaining() >= ckpt_remainder()) ckpt_request();
}

struct writer {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *savepoint, *release, *rollback_to, *organization, *insert_application,
        *insert_activity, *insert_minimal;
    long long actor_id; /* the first superuser, as the actor appreg records for bench/run.sh's requests */
    char actor_username[160];
};

static void open_writer(struct writer *w) {
    if (sqlite3_open_v2(g_create_db, &w->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die_sqlite(w->db, g_create_db);
    char pragmas[256];
    /* appreg's connection settings (src/store/Database.cpp). */
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; "
             "PRAGMA synchronous = %s; PRAGMA temp_store = MEMORY;",
             g_synchronous);
    if (sqlite3_exec(w->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) die_sqlite(w->db, "pragmas");
    if (g_ckpt_pages > 0) {
        if (sqlite3_open_v2(g_create_db, &g_ckpt_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            die_sqlite(g_ckpt_db, g_create_db);
        if (sqlite3_exec(g_ckpt_db, pragmas, NULL, NULL, NULL) != SQLITE_OK) die_sqlite(g_ckpt_db, "pragmas");
        sqlite3_wal_hook(w->db, ckpt_wal_hook, NULL); /* also turns SQLite's automatic checkpoint off */
    }
    w->begin = prepare(w->db, "BEGIN IMMEDIATE");
    w->commit = prepare(w->db, "COMMIT");
    w->savepoint = prepare(w->db, "SAVEPOINT appreg_write");
    w->release = prepare(w->db, "RELEASE appreg_write");
    w->rollback_to = prepare(w->db, "ROLLBACK TO appreg_write");
    if (g_minimal_sql && sqlite3_exec(w->db,
                                      "CREATE TABLE IF NOT EXISTS minimal_creates "
                                      "(id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                                      NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(w->db, "creating minimal_creates");
    w->insert_minimal =
        g_minimal_sql ? prepare(w->db, "INSERT INTO minimal_creates (name) VALUES (?)") : NULL;
    w->organization = prepare(w->db, "SELECT name FROM organizations WHERE id = ?");
    w->insert_application =
        prepare(w->db,
                "INSERT INTO applications (name, description, client_id, client_secret_hash, client_type, "
                "redirect_uris, authorization_grant_type, skip_authorization, organization_id, created, "
                "modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    w->insert_activity =
        prepare(w->db,
                "INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes, actor_id, "
                "actor_username, actor_first_name, actor_last_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

    sqlite3_stmt *count = prepare(w->db, "SELECT count(*) FROM organizations");
    if (sqlite3_step(count) != SQLITE_ROW) die_sqlite(w->db, "counting organizations");
    g_organizations = sqlite3_column_int64(count, 0);
    sqlite3_finalize(count);
    if (g_organizations < 1) {
        fprintf(stderr, "empty_responder: %s has no organization\n", g_create_db);
        exit(1);
    }
    w->actor_id = -1;
    sqlite3_stmt *actor =
        prepare(w->db, "SELECT id, username FROM users WHERE is_superuser = 1 ORDER BY id LIMIT 1");
    if (sqlite3_step(actor) == SQLITE_ROW) {
        w->actor_id = sqlite3_column_int64(actor, 0);
        snprintf(w->actor_username, sizeof w->actor_username, "%s",
                 (const char *)sqlite3_column_text(actor, 1));
    }
    sqlite3_finalize(actor);
}

/* appreg's statements for one create: 1 if they all succeeded. */
static int run_appreg_sql(struct writer *w, const struct create_job *job) {
    int ok = 0;
    sqlite3_bind_int64(w->organization, 1, job->organization);
    char organization[160] = "";
    if (sqlite3_step(w->organization) == SQLITE_ROW) {
        snprintf(organization, sizeof organization, "%s",
                 (const char *)sqlite3_column_text(w->organization, 0));
        ok = 1;
    }
    sqlite3_reset(w->organization);

    sqlite3_stmt *app = w->insert_application;
    if (ok) {
        sqlite3_bind_text(app, 1, job->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 2, "created by bench/run.sh", -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 3, job->client_id, -1, SQLITE_STATIC);
        /* Shaped like appreg's hashSecret() output; no secret is ever checked against it. */
        sqlite3_bind_text(app, 4,
                          "sha256$0123456789abcdef0123456789abcdef$"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 5, "confidential", -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 6, "", -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 7, "password", -1, SQLITE_STATIC);
        sqlite3_bind_int(app, 8, 0);
        sqlite3_bind_int64(app, 9, job->organization);
        sqlite3_bind_text(app, 10, job->timestamp, -1, SQLITE_STATIC);
        sqlite3_bind_text(app, 11, job->timestamp, -1, SQLITE_STATIC);
        ok = step_done(app);
    }
    if (ok) {
        long long id = (long long)sqlite3_last_insert_rowid(w->db);
        /* What appreg's applicationChanges() writes, in its key order. The names need no JSON escaping: the
         * made-up ones above and the seeded organizations' ("org-0001", bench/lib.sh). */
        char changes[768];
        snprintf(
            changes, sizeof changes,
            "{\"name\":\"%s\",\"description\":\"created by bench/run.sh\",\"client_type\":\"confidential\","
            "\"redirect_uris\":\"\",\"authorization_grant_type\":\"password\",\"skip_authorization\":false,"
            "\"organization\":\"%s-%lld\",\"id\":%lld}",
            job->name, organization, job->organization, id);
        sqlite3_stmt *act = w->insert_activity;
        sqlite3_bind_text(act, 1, job->timestamp, -1, SQLITE_STATIC);
        sqlite3_bind_text(act, 2, "create", -1, SQLITE_STATIC);
        sqlite3_bind_text(act, 3, "o_auth2_application", -1, SQLITE_STATIC);
        sqlite3_bind_int64(act, 4, id);
        sqlite3_bind_text(act, 5, changes, -1, SQLITE_TRANSIENT);
        if (w->actor_id >= 0) {
            sqlite3_bind_int64(act, 6, w->actor_id);
            sqlite3_bind_text(act, 7, w->actor_username, -1, SQLITE_STATIC);
            sqlite3_bind_text(act, 8, "", -1, SQLITE_STATIC);
            sqlite3_bind_text(act, 9, "", -1, SQLITE_STATIC);
        } else {
            for (int i = 6; i <= 9; ++i) sqlite3_bind_null(act, i);
        }
        ok = step_done(act);
    }
    return ok;
}

/* One create inside the group's transaction: 1 if kept, 0 if rolled back to its savepoint. */
static int run_create(struct writer *w, const struct create_job *job) {
    if (!step_done(w->savepoint)) return 0;
    int ok;
    if (g_minimal_sql) {
        sqlite3_bind_text(w->insert_minimal, 1, job->name, -1, SQLITE_STATIC);
        ok = step_done(w->insert_minimal);
    } else
        ok = run_appreg_sql(w, job);
    if (ok) return step_done(w->release);
    if (!step_done(w->rollback_to) || !step_done(w->release)) die_sqlite(w->db, "rolling back a create");
    return 0;
}

static void *write_groups(void *arg) {
    struct writer *writer = arg, w = *writer;
    for (;;) {
        pthread_mutex_lock(&g_queue_mutex);
        if (g_queue_head == NULL && g_ckpt_pages > 0) {
            pthread_mutex_unlock(&g_queue_mutex);
            ckpt_idle();
            pthread_mutex_lock(&g_queue_mutex);
        }
        while (g_queue_head == NULL) pthread_cond_wait(&g_queue_wake, &g_queue_mutex);
        struct create_job *group = g_queue_head;
        g_queue_head = g_queue_tail = NULL;
        pthread_mutex_unlock(&g_queue_mutex);

        long size = 0;
        if (g_ckpt_pages > 0) ckpt_before_write(w.db);
        int began = step_done(w.begin);
        for (struct create_job *job = group; job != NULL; job = job->next) {
            ++size;
            job->failed = !began || !run_create(&w, job);
        }
        if (began && !step_done(w.commit)) { /* nothing of the group was kept */
            fprintf(stderr, "empty_responder: COMMIT failed: %s\n", sqlite3_errmsg(w.db));
            sqlite3_exec(w.db, "ROLLBACK", NULL, NULL, NULL);
            for (struct create_job *job = group; job != NULL; job = job->next) job->failed = 1;
        }
        pthread_mutex_lock(&g_queue_mutex);
        ++g_groups;
        g_writes += size;
        if (size > g_largest_group) g_largest_group = size;
        pthread_mutex_unlock(&g_queue_mutex);
        /* Outside the mutex, as appreg's writer does: a thread woken under it would block on it at once. */
        for (struct create_job *job = group, *next; job != NULL; job = next) {
            next = job->next; /* read before the post: the request thread may return at once */
            sem_post(job->finished);
        }
    }
    return NULL;
}

/* A made-up create: a unique name, 40 random characters of client id, organizations round robin, now. */
static void make_job(struct create_job *job, uint64_t *rng, unsigned thread, unsigned long long *counter) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    memset(job, 0, sizeof *job);
    ++*counter;
    snprintf(job->name, sizeof job->name, "ceiling-%d-%u-%llu", (int)getpid(), thread, *counter);
    for (int i = 0; i < 40; ++i) job->client_id[i] = kAlphabet[next_random(rng) % (sizeof kAlphabet - 1)];
    job->organization = (long long)(*counter % (unsigned long long)g_organizations) + 1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm utc;
    gmtime_r(&now.tv_sec, &utc);
    snprintf(job->timestamp, sizeof job->timestamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
             utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
             now.tv_nsec / 1000);
}

/* --loop N: N creates through the writer's statements in groups of 16, in this thread, without FastCGI or
 * checkpoints: the cost of the create SQL alone, printed in µs per create. */
static int loop_creates(long n) {
    struct writer w;
    open_writer(&w);
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    unsigned long long counter = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long done = 0; done < n;) {
        if (!step_done(w.begin)) die_sqlite(w.db, "BEGIN IMMEDIATE");
        for (int k = 0; k < 16 && done < n; ++k, ++done) {
            struct create_job job;
            make_job(&job, &rng, 0, &counter);
            if (!run_create(&w, &job)) die_sqlite(w.db, "a create");
        }
        if (!step_done(w.commit)) die_sqlite(w.db, "COMMIT");
    }
    printf("%ld creates (%s SQL, synchronous=%s): %.2f us per create\n", n,
           g_minimal_sql ? "minimal" : "appreg's", g_synchronous, seconds_since(&start) * 1e6 / (double)n);
    return 0;
}

/* Queues one create and waits for its group's commit: 1 if it was kept. */
static int create_application(uint64_t *rng, unsigned thread, unsigned long long *counter) {
    struct create_job job;
    make_job(&job, rng, thread, counter);
    /* One per thread for as long as it lives: sem_post may still be returning when this thread has left. */
    static __thread sem_t finished;
    static __thread int finished_ready;
    if (!finished_ready) {
        sem_init(&finished, 0, 0);
        finished_ready = 1;
    }
    job.finished = &finished;
    pthread_mutex_lock(&g_queue_mutex);
    if (g_queue_tail != NULL)
        g_queue_tail->next = &job;
    else
        g_queue_head = &job;
    g_queue_tail = &job;
    pthread_cond_signal(&g_queue_wake);
    pthread_mutex_unlock(&g_queue_mutex);
    while (sem_wait(&finished) != 0) {
    } /* EINTR */
    return !job.failed;
}

static void *serve(void *arg) {
    const unsigned thread = (unsigned)(uintptr_t)arg;
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)thread << 32) ^ (uint64_t)time(NULL);
    unsigned long long creates = 0;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, g_listen_fd, 0) != 0) {
        fprintf(stderr, "empty_responder: FCGX_InitRequest failed\n");
        exit(1);
    }
    char sink[16384];
    char head[512];
    for (;;) {
        if (FCGX_Accept_r(&request) < 0) break;
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);

        while (FCGX_GetStr(sink, (int)sizeof sink, request.in) > 0) {
        }
        const char *method = FCGX_GetParam("REQUEST_METHOD", request.envp);
        int created = method != NULL && strcmp(method, "POST") == 0;
        const char *status = created ? "201 Created" : "200 OK";
        if (created && g_create_db != NULL && !create_application(&rng, thread, &creates))
            status = "500 Internal Server Error";

        if (g_spin_us > 0) {
            const long until = thread_cpu_us() + g_spin_us;
            while (thread_cpu_us() < until) {
            }
        }
        uint64_t a = next_random(&rng), b = next_random(&rng);
        int n = snprintf(head, sizeof head,
                         "Status: %s\r\n"
                         "Content-Type: application/json\r\n"
                         "Allow: GET, PUT, PATCH, DELETE, HEAD, OPTIONS\r\n"
                         "X-API-Request-Id: %016llx%016llx\r\n"
                         "X-API-Time: %.3fs\r\n"
                         "\r\n",
                         status, (unsigned long long)a, (unsigned long long)b, seconds_since(&start));
        const char *body;
        int body_len;
        body_for(method, FCGX_GetParam("REQUEST_URI", request.envp), &body, &body_len);
        FCGX_PutStr(head, n, request.out);
        FCGX_PutStr(body, body_len, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

static void usage(void) {
    fprintf(stderr,
            "usage: empty_responder --listen PATH|HOST:PORT [--threads N] [--backlog N] [--spin-us N]\n"
            "                       [--body-for URI FILE]... [--create-db SQLITE-FILE [--synchronous "
            "FULL|NORMAL|EXTRA|OFF] [--checkpoint-pages N] [--create-sql appreg|minimal]]\n"
            "       empty_responder --create-db SQLITE-FILE --loop N [--synchronous ...] "
            "[--create-sql ...]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *listen_on = NULL;
    int threads = 4, backlog = 128;
    long loop = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen_on = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--backlog") == 0 && i + 1 < argc)
            backlog = atoi(argv[++i]);
        else if (strcmp(argv[i], "--spin-us") == 0 && i + 1 < argc)
            g_spin_us = atol(argv[++i]);
        else if (strcmp(argv[i], "--body-for") == 0 && i + 2 < argc) {
            add_body(argv[i + 1], argv[i + 2]);
            i += 2;
        } else if (strcmp(argv[i], "--create-db") == 0 && i + 1 < argc)
            g_create_db = argv[++i];
        else if (strcmp(argv[i], "--synchronous") == 0 && i + 1 < argc)
            g_synchronous = argv[++i];
        else if (strcmp(argv[i], "--create-sql") == 0 && i + 1 < argc) {
            ++i;
            if (strcmp(argv[i], "minimal") != 0 && strcmp(argv[i], "appreg") != 0) usage();
            g_minimal_sql = strcmp(argv[i], "minimal") == 0;
        } else if (strcmp(argv[i], "--checkpoint-pages") == 0 && i + 1 < argc)
            g_ckpt_pages = atoll(argv[++i]);
        else if (strcmp(argv[i], "--loop") == 0 && i + 1 < argc)
            loop = atol(argv[++i]);
        else
            usage();
    }
    if (strcmp(g_synchronous, "FULL") != 0 && strcmp(g_synchronous, "NORMAL") != 0 &&
        strcmp(g_synchronous, "EXTRA") != 0 && strcmp(g_synchronous, "OFF") != 0)
        usage();
    if (loop != 0) {
        if (loop < 0 || g_create_db == NULL || listen_on != NULL || g_ckpt_pages != 0) usage();
        return loop_creates(loop);
    }
    if (listen_on == NULL || threads < 1 || threads > 1024 || backlog < 1 || g_spin_us < 0 ||
        g_ckpt_pages < 0)
        usage();

    /* Stop signals are taken by this thread only; libfcgi's own SIGTERM flag would not wake threads in
     * accept(). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    if (FCGX_Init() != 0) {
        fprintf(stderr, "empty_responder: FCGX_Init failed\n");
        return 1;
    }
    if (strchr(listen_on, ':') == NULL) unlink(listen_on); /* a unix socket path: replace a stale one */
    g_listen_fd = FCGX_OpenSocket(listen_on, backlog);
    if (g_listen_fd < 0) {
        fprintf(stderr, "empty_responder: cannot listen on %s\n", listen_on);
        return 1;
    }
    if (strchr(listen_on, ':') == NULL) chmod(listen_on, 0660);

    static struct writer writer;
    if (g_create_db != NULL) {
        open_writer(&writer);
        pthread_t writer_thread;
        if (pthread_create(&writer_thread, NULL, write_groups, &writer) != 0) {
            fprintf(stderr, "empty_responder: pthread_create failed\n");
            return 1;
        }
        pthread_t checkpoint_thread;
        if (g_ckpt_pages > 0 && pthread_create(&checkpoint_thread, NULL, checkpoint_loop, NULL) != 0) {
            fprintf(stderr, "empty_responder: pthread_create failed\n");
            return 1;
        }
    }
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (ids == NULL) return 1;
    for (int i = 0; i < threads; ++i) {
        if (pthread_create(&ids[i], NULL, serve, (void *)(uintptr_t)(i + 1)) != 0) {
            fprintf(stderr, "empty_responder: pthread_create failed\n");
            return 1;
        }
    }
    fprintf(stderr, "empty_responder: serving on %s with %d threads, %zu-byte body\n", listen_on, threads,
            sizeof kBody - 1);
    for (int i = 0; i < g_n_bodies; ++i)
        fprintf(stderr, "empty_responder: GET %s is answered with a %d-byte body\n", g_bodies[i].uri,
                g_bodies[i].len);
    if (g_create_db != NULL)
        fprintf(stderr,
                "empty_responder: POST creates an application in %s (synchronous=%s, %lld organizations)\n",
                g_create_db, g_synchronous, g_organizations);

    int sig = 0;
    sigwait(&stop, &sig);
    if (g_create_db != NULL) {
        pthread_mutex_lock(&g_queue_mutex);
        fprintf(stderr, "empty_responder: group commit: %ld writes in %ld transactions (at most %ld)\n",
                g_writes, g_groups, g_largest_group);
        pthread_mutex_unlock(&g_queue_mutex);
        pthread_mutex_lock(&g_ckpt_mutex);
        if (g_ckpt_pages > 0)
            fprintf(stderr,
                    "empty_responder: checkpoints: %ld in the background, %ld by the writer; the WAL started "
                    "over %ld times\n",
                    g_ckpt_background, g_ckpt_inline, g_ckpt_restarts);
        pthread_mutex_unlock(&g_ckpt_mutex);
    }
    if (strchr(listen_on, ':') == NULL) unlink(listen_on);
    _exit(0);
}
