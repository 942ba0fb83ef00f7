-- The public status page (POST /cek-status/) with a csrftoken cookie and token obtained once.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local niks, codes
local headers = common.cookie_headers({["Content-Type"] = "application/x-www-form-urlencoded"})

function init(args)
  niks, codes = common.load_pairs(false)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  local i = math.random(#niks)
  local code = codes[i]
  if math.random(10) == 1 then code = codes[math.random(#codes)] end
  local body = common.form({{"csrfmiddlewaretoken", common.csrf}, {"nik", niks[i]}, {"kode", code}})
  return wrk.format("POST", "/cek-status/", headers, body)
end
