-- PATCH /api/v2/applications/{random seeded id}/ changing the description (200 expected).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
init = common.init
done = common.done

function request()
    common.counter = common.counter + 1
    local body = string.format('{"description":"patched by bench/run.sh %s-%d-%d"}', common.tag, common.thread,
        common.counter)
    return wrk.format("PATCH", "/api/v2/applications/" .. common.random_id() .. "/", common.json_headers(), body)
end
