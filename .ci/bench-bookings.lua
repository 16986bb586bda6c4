-- The booking benchmark: budget holders (signed in by bench-bookings-prep.py) confirm
-- one-visit bookings through the same endpoint the confirm button posts to, each visit in its
-- own slot. Each wrk thread books for its own half of the holders. A refusal (422: usually
-- the budget has run out) is a correct answer, counted apart from confirmed bookings.
local data = dofile(os.getenv("BENCH_SESSIONS"))
-- The warm-up books weeks of its own (BENCH_FIRST_WEEK), so the measured run finds its slots free.
local first_week = tonumber(os.getenv("BENCH_FIRST_WEEK") or "0")
local threads = {}
local next_id = 0

setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Counters are globals: done() reads them from each thread.
local holders, slot = {}, {}
confirmed, refused, failed = 0, 0, 0
local turn = 0

init = function(args)
  for index, session in ipairs(data.sessions) do
    if (index - 1) % 2 == id then table.insert(holders, session) end
  end
end

local function escape(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  turn = turn % #holders + 1
  local holder = holders[turn]
  local n = (slot[turn] or 0)
  slot[turn] = n + 1
  local date = data.dates[(first_week + math.floor(n / #data.times)) % #data.dates + 1]
  local time = data.times[n % #data.times + 1]
  -- Unique per run, thread, holder, first week and slot: 64 hex digits.
  local key = string.format("%s%08x%08x%016x%016x", data.run, id + 1, turn, first_week, n)
  local body = "csrf_token=" .. holder.csrf .. "&listing=" .. data.listing
    .. "&answers%5Bhow_often%5D=once&answers%5Bdate%5D=" .. date .. "&answers%5Btime%5D=" .. escape(time)
    .. "&answers%5Bminutes%5D=30&answers%5Bweekdays%5D=&answers%5Bbest_value%5D=false&request_key=" .. key
    .. "&quoted_total=" .. data.quoted
  return wrk.format("POST", "/api/confirm-booking", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Cookie"] = holder.cookie,
  }, body)
end

response = function(status, headers, body)
  if status == 200 then confirmed = confirmed + 1
  elseif status == 422 then refused = refused + 1
  else failed = failed + 1 end
end

done = function(summary, latency, requests)
  local ok, no, bad = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("confirmed")
    no = no + thread:get("refused")
    bad = bad + thread:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("confirmed bookings: %d (%.0f/s)  refused: %d  failed: %d\n", ok, ok / seconds, no, bad))
  io.write(string.format("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
