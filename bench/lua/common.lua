-- Shared by the benchmark's wrk scripts: ticket identities, cookies, status counts, a JSON summary.
--
-- Environment (set by bench/run.py):
--   BENCH_PAIRS    CSV "nik,code,office" of seeded tickets (office 0 = the bench user's office)
--   BENCH_SESSION  sessionid cookie of the logged-in bench supervisor (staff pages)
--   BENCH_CSRF     csrftoken cookie value, also sent as csrfmiddlewaretoken in forms
local M = {}

M.session = os.getenv("BENCH_SESSION") or ""
M.csrf = os.getenv("BENCH_CSRF") or ""

function M.cookie_headers(extra)
  local headers = extra or {}
  local cookies = {}
  if M.csrf ~= "" then cookies[#cookies + 1] = "csrftoken=" .. M.csrf end
  if M.session ~= "" then cookies[#cookies + 1] = "sessionid=" .. M.session end
  if #cookies > 0 then headers["Cookie"] = table.concat(cookies, "; ") end
  return headers
end

-- Return niks, codes of the seeded tickets, only the bench office's when own_office_only.
function M.load_pairs(own_office_only)
  local niks, codes = {}, {}
  local path = os.getenv("BENCH_PAIRS")
  local file = assert(io.open(path, "r"), "cannot open BENCH_PAIRS " .. tostring(path))
  for line in file:lines() do
    local nik, code, office = line:match("^(%d+),(%w+),(%d+)$")
    if nik and (not own_office_only or office == "0") then
      niks[#niks + 1] = nik
      codes[#codes + 1] = code
    end
  end
  file:close()
  assert(#niks > 0, "no ticket identities in " .. path)
  return niks, codes
end

function M.urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function M.form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = pair[1] .. "=" .. M.urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- wrk hooks: every script installs these so run.py gets status counts and exact percentiles.
local threads = {}
local next_id = 1

function M.install()
  function setup(thread)
    thread:set("thread_id", next_id)
    next_id = next_id + 1
    threads[#threads + 1] = thread
  end

  statuses = {}
  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end

  function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
      local s = thread:get("statuses")
      for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
    end
    local parts = {}
    for code, n in pairs(counts) do parts[#parts + 1] = string.format('"%d": %d', code, n) end
    io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}, "statuses": {%s}}\n',
      summary.requests, summary.duration, summary.bytes,
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
      summary.errors.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
      latency:percentile(95), latency:percentile(99), latency.max, table.concat(parts, ", ")))
  end
end

return M
