-- The queue searched by the last four digits of a NIK (POST /tiket/ with q=4 digits), within the office.
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
  local nik = niks[math.random(#niks)]
  local body = common.form({{"csrfmiddlewaretoken", common.csrf}, {"q", string.sub(nik, -4)}})
  return wrk.format("POST", "/tiket/", headers, body)
end
