-- The benchmark's mix of searches: a typo; words with price and framework filters; no words,
-- a type of care within 5 km of a postcode, best value first; words with a specialism and a
-- day; words with a carer filter, cheapest first; words with their counts by type of care.
-- With BENCH_MIX=natural, five searches in people's own words join them (issue 22): filler,
-- synonyms, a language, a place and "cheap", a specialism with a partial match.
local searches = {
  "q=dementa",
  "q=home+care&max_price=25&framework=yes",
  "category=home_care&postcode=NE3&within=5&sort=best",
  "q=personal+care&specialism=dementia&day=2",
  "q=support&carer=female&sort=price",
  "q=respite",
}
if os.getenv("BENCH_MIX") == "natural" then
  for _, natural in ipairs({
    "q=short+break+for+carers",
    "q=polish+speaking+carer",
    "q=someone+to+help+my+mum+get+washed+and+dressed",
    "q=cheap+home+care+in+gosforth",
    "q=respite+for+autism",
  }) do table.insert(searches, natural) end
end
-- BENCH_QUERY="q=..." sends that one search instead (to see what each costs).
if os.getenv("BENCH_QUERY") then searches = { os.getenv("BENCH_QUERY") } end
local prefix = os.getenv("BENCH_TARGET") == "page" and "/?" or "/api/v1/search?"
local n = 0

request = function()
  n = n + 1
  return wrk.format("GET", prefix .. searches[(n % #searches) + 1])
end

done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  if summary.errors.status > 0 then io.write(string.format("Non-2xx responses: %d\n", summary.errors.status)) end
end
