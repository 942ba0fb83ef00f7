-- The queue searched by part of a name (POST /tiket/ with q=a full name or a fragment): the
-- trigram index on UPPER(full_name) serves UPPER(full_name) LIKE '%...%'.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local names = {"siti rahayu", "budi santoso", "agus prasetyo", "rahayu", "santo", "prasety"}
local headers = common.cookie_headers({["Content-Type"] = "application/x-www-form-urlencoded"})

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  local body = common.form({{"csrfmiddlewaretoken", common.csrf}, {"q", names[math.random(#names)]}})
  return wrk.format("POST", "/tiket/", headers, body)
end
