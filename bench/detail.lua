-- GET /api/v2/applications/{random seeded id}/
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
init = common.init
done = common.done

function request()
    return wrk.format("GET", "/api/v2/applications/" .. common.random_id() .. "/", common.headers)
end
