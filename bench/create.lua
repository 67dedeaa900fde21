-- POST /api/v2/applications/ with a name unique to this run, thread and request (201 expected).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
init = common.init
done = common.done

function request()
    common.counter = common.counter + 1
    local body = string.format(
        '{"name":"bench-%s-%d-%d","description":"created by bench/run.sh","client_type":"confidential",'
            .. '"authorization_grant_type":"password","organization":%d}',
        common.tag, common.thread, common.counter, (common.counter % common.orgs) + 1)
    return wrk.format("POST", "/api/v2/applications/", common.json_headers(), body)
end
