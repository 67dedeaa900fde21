-- GET of the URL given to wrk (a list page with its query string), the same request every time.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
init = common.init
done = common.done
