-- The queue searched by NIK (POST /tiket/ with q=NIK, so the NIK stays out of the URL).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local niks
local headers = common.cookie_headers({["Content-Type"] = "application/x-www-form-urlencoded"})

function init(args)
  niks = common.load_pairs(true)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  local body = common.form({{"csrfmiddlewaretoken", common.csrf}, {"q", niks[math.random(#niks)]}})
  return wrk.format("POST", "/tiket/", headers, body)
end
