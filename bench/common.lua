-- Shared by the wrk scripts of bench/run.sh and bench/flatness.sh (loaded with require "common").
--
-- Arguments after wrk's "--": MAX_ID ORGS TAG
--   MAX_ID  the highest seeded application id (ids 1..MAX_ID exist)
--   ORGS    the number of seeded organizations (ids 1..ORGS exist)
--   TAG     unique per wrk run, so that names created in different runs never collide
--
-- AUTHENTICATION: every request carries the headers in M.headers. Authorization is added from ONE variable:
--   BENCH_AUTHORIZATION='Bearer <token>'  or  BENCH_AUTHORIZATION='Basic <base64 user:password>'
-- (the environment of wrk). bench/run.sh and bench/flatness.sh always set it: to the credentials of the
-- superuser they create (lib.sh, authenticate), or to what the caller gave. Empty (only when wrk runs these
-- scripts by hand, or against a build without users): no Authorization header, and every request but ping
-- gets 401.
local M = {}

M.authorization = os.getenv("BENCH_AUTHORIZATION") or ""

M.headers = {}
if M.authorization ~= "" then
    M.headers["Authorization"] = M.authorization
end

-- Headers for a request with a JSON body (a fresh table: wrk.format does not copy it).
function M.json_headers()
    local h = { ["Content-Type"] = "application/json" }
    for k, v in pairs(M.headers) do h[k] = v end
    return h
end

-- setup() runs in wrk's main Lua state once per thread: number the threads 1..N.
local threads = 0
function M.setup(thread)
    threads = threads + 1
    thread:set("bench_thread", threads)
end

-- init() runs in each thread's own Lua state with the arguments after "--".
function M.init(args)
    M.max_id = tonumber(args[1]) or 1
    M.orgs = tonumber(args[2]) or 1
    M.tag = args[3] or tostring(os.time())
    M.thread = bench_thread or 0
    M.counter = 0
    math.randomseed(os.time() * 1000 + M.thread * 7919)
    -- Static requests (no request() function in the script) are built from wrk.headers after init.
    for k, v in pairs(M.headers) do wrk.headers[k] = v end
end

function M.random_id()
    return math.random(1, M.max_id)
end

-- One machine-readable line for the shell scripts (latencies in microseconds).
function M.done(summary, latency, requests)
    local e = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d "
            .. "mean_us=%.0f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d bytes=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean, e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end

return M
