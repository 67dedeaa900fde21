/*
 * The baseline of bench/run.sh: the cheapest FastCGI responder that still does what appreg's transport does
 * for every request, so that "appreg req/s / this req/s" is the fraction of its own architecture's ceiling
 * that appreg reaches (issue 7).
 *
 * Per request: FCGX_Accept_r (N threads, each calling it directly; no accept mutex), read the whole body,
 * answer a fixed ~900-byte JSON object with the headers appreg sends (Status, Content-Type, Allow,
 * X-API-Request-Id with 32 fresh hex digits, X-API-Time), FCGX_Finish_r. No database, no parsing, no log.
 *
 *   gcc -O2 -Wall -Wextra -o empty_responder bench/empty_responder.c -lfcgi -lpthread
 *   empty_responder --listen /tmp/baseline.sock [--threads 4] [--backlog 128]
 *
 * --listen takes a unix socket path (replaced if it exists) or ":PORT" / "HOST:PORT" for TCP.
 * SIGTERM or SIGINT ends the process at once (in-flight requests are dropped: it holds no state).
 * Built by bench/run.sh; not part of the CMake build.
 */
#define _GNU_SOURCE
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
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
    "\"summary_fields\":{\"organization\":{\"id\":7,\"name\":\"org-0007\",\"description\":\"Benchmark organization\"},"
    "\"user_capabilities\":{\"edit\":true,\"delete\":true},\"tokens\":{\"count\":0,\"results\":[]}},"
    "\"created\":\"2025-01-01T00:00:00.004711Z\",\"modified\":\"2025-01-01T00:00:00.004711Z\","
    "\"name\":\"app-00004711\",\"description\":\"Seeded application 4711, an empty-responder body of the same shape "
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

static void *serve(void *arg) {
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(uintptr_t)arg << 32) ^ (uint64_t)time(NULL);
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

        uint64_t a = next_random(&rng), b = next_random(&rng);
        int n = snprintf(head, sizeof head,
                         "Status: %s\r\n"
                         "Content-Type: application/json\r\n"
                         "Allow: GET, PUT, PATCH, DELETE, HEAD, OPTIONS\r\n"
                         "X-API-Request-Id: %016llx%016llx\r\n"
                         "X-API-Time: %.3fs\r\n"
                         "\r\n",
                         created ? "201 Created" : "200 OK", (unsigned long long)a, (unsigned long long)b,
                         seconds_since(&start));
        FCGX_PutStr(head, n, request.out);
        FCGX_PutStr(kBody, (int)(sizeof kBody - 1), request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: empty_responder --listen PATH|HOST:PORT [--threads N] [--backlog N]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *listen_on = NULL;
    int threads = 4, backlog = 128;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) listen_on = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--backlog") == 0 && i + 1 < argc) backlog = atoi(argv[++i]);
        else usage();
    }
    if (listen_on == NULL || threads < 1 || threads > 1024 || backlog < 1) usage();

    /* Stop signals are taken by this thread only; libfcgi's own SIGTERM flag would not wake threads in accept(). */
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

    int sig = 0;
    sigwait(&stop, &sig);
    if (strchr(listen_on, ':') == NULL) unlink(listen_on);
    _exit(0);
}
