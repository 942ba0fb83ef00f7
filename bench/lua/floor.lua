-- The floor: a bare view doing one primary-key lookup, with a different id each request.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local tickets = tonumber(os.getenv("BENCH_TICKETS") or "1000")

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  return wrk.format("GET", "/bench/floor/?id=" .. math.random(1, tickets))
end
