#!/usr/bin/env python3
"""Times every commissioner report page and its CSV against a running server on the bench
data set: signs in the bench commissioner, then fetches each address `rounds` times in turn
(one client, one request at a time: the time a commissioner waits) and prints p50 and p95.
The default filters are the last 12 months, about 370,000 placements of the bench history."""
import http.cookiejar, statistics, sys, time, urllib.parse, urllib.request

base, rounds = sys.argv[1], int(sys.argv[2])
floor_ms = float(sys.argv[3]) if len(sys.argv) > 3 else None
REPORTS = ["placements", "placements?by=provider", "placements?period=week&by=period", "electronic", "time-to-place",
           "framework-share", "prices", "budgets", "delivery", "savings"]

jar = http.cookiejar.CookieJar()
client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
client.open(base + "/sign-in").read()
csrf = next(c.value for c in jar if c.name == "cm_csrf")
form = urllib.parse.urlencode({"csrf_token": csrf, "email": "commissioner@demo.test", "password": "caremarket-demo"}).encode()
client.open(urllib.request.Request(base + "/api/sign-in", data=form, headers={"Accept": "application/json"})).read()

def timed(path):
    start = time.perf_counter()
    with client.open(base + path) as reply:
        body = reply.read()
        final = urllib.parse.urlparse(reply.geturl()).path
    elapsed = (time.perf_counter() - start) * 1000
    # A report, not a sign-in page or an error: the page has its figures table, the CSV its header and a row.
    whole = b'class="table report-table"' in body if "/csv" not in path else body.count(b"\r\n") >= 2
    if reply.status != 200 or final != path.partition("?")[0] or not whole:
        sys.exit(f"{path}: status {reply.status} at {final}, not a whole report")
    return elapsed

def percentile(times, p):
    ordered = sorted(times)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]

worst = 0.0
print(f"{'report':40} {'page p50':>9} {'page p95':>9} {'CSV p50':>9} {'CSV p95':>9}   (ms, {rounds} requests each)")
for report in REPORTS:
    path, _, query = report.partition("?")
    page = [timed(f"/reports/{path}?{query}") for _ in range(rounds)]
    csv = [timed(f"/reports/{path}/csv?{query}") for _ in range(rounds)]
    worst = max(worst, percentile(page, 95), percentile(csv, 95))
    print(f"{report:40} {statistics.median(page):9.1f} {percentile(page, 95):9.1f} {statistics.median(csv):9.1f} {percentile(csv, 95):9.1f}")
print(f"slowest p95: {worst:.1f} ms")
if floor_ms is not None:
    print(f"    {'met' if worst <= floor_ms else 'MISSED'}: every p95 at most {floor_ms:.0f} ms")
    sys.exit(0 if worst <= floor_ms else 1)
