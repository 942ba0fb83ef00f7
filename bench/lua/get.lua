-- GET one path (BENCH_PATH) as the logged-in bench user: queue, filters, deep page, dashboard, floor.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local path = os.getenv("BENCH_PATH") or "/"
local headers = common.cookie_headers()

function request()
  return wrk.format("GET", path, headers)
end
