-- Ticket detail pages (/tiket/<code>/) of the bench office, a different ticket each request.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local codes
local headers = common.cookie_headers()

function init(args)
  _, codes = common.load_pairs(true)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  return wrk.format("GET", "/tiket/" .. codes[math.random(#codes)] .. "/", headers)
end
