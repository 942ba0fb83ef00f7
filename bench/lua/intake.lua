-- Intake (POST /tiket/baru/): every request a new citizen with a valid, unique NIK.
--
-- NIK = 33 19 0D DDMMYY SSSS: Kudus (never used by the seed), district = wrk thread, birth
-- year and month from BENCH_INTAKE_RUN (a counter bench/run.py bumps per run, so reruns on the
-- same database never repeat a NIK), day and serial from a per-thread counter.
-- A saved ticket answers 302; a 200 is the form shown again with an error.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")
common.install()

local run = tonumber(os.getenv("BENCH_INTAKE_RUN") or "0")
local headers = common.cookie_headers({["Content-Type"] = "application/x-www-form-urlencoded"})
local categories = {"kk_mismatch", "new_kk", "nik_not_found", "move", "name"}
local services = {"sscasn", "bpjs", "bank", "bansos"}
local counter = 0

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  counter = counter + 1
  local serial = (counter - 1) % 9999 + 1
  local day = math.floor((counter - 1) / 9999) % 28 + 1
  local month = math.floor(run / 100) % 12 + 1
  local year = run % 100
  local female = counter % 2 == 0
  local nik = string.format("33190%d%02d%02d%02d%04d", thread_id % 9 + 1, day + (female and 40 or 0), month, year, serial)
  local kk = string.format("33190%d%02d%02d%02d%04d", thread_id % 9 + 1, day, month, 20, serial)
  local body = common.form({
    {"csrfmiddlewaretoken", common.csrf}, {"nik", nik}, {"full_name", "Bench Pemohon " .. counter},
    {"birth_date", string.format("19%02d-%02d-%02d", year, month, day)}, {"sex", female and "P" or "L"},
    {"phone", ""}, {"email", ""}, {"kk_number", kk}, {"kk_number_old", ""},
    {"category", categories[counter % #categories + 1]}, {"service", services[counter % #services + 1]},
    {"deadline", ""}, {"description", "Ditolak saat login portal."},
  })
  return wrk.format("POST", "/tiket/baru/", headers, body)
end
