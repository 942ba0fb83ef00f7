-- The public status lookup as JSON (POST /api/v1/status, csrf-exempt), many distinct NIK+code pairs;
-- one in ten asks with a code that is not the citizen's (the "not found" answer).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local niks, codes
local headers = {["Content-Type"] = "application/json"}

function init(args)
  niks, codes = common.load_pairs(false)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  local i = math.random(#niks)
  local code = codes[i]
  if math.random(10) == 1 then code = codes[math.random(#codes)] end
  return wrk.format("POST", "/api/v1/status", headers, '{"nik": "' .. niks[i] .. '", "kode": "' .. code .. '"}')
end
