#!/usr/bin/env python3
"""Times every commissioner report page and its CSV against a running server on the bench
data set: signs in the bench commissioner, then fetches each address `rounds` times in turn
(one client, one request at a time: the time a commissioner waits) and prints p50 and p95.
The default filters are the last 12 months, about 370,000 placements of the bench history.
Then the oversight pages and downloads the same way: the budgets (a page, a search), the
month's audit sample (drawn first, the draw timed once), recoveries, payment runs and a
remittance, a month's finance export and every budget's statements for the care year's last
month, one budget's statement, and a busy provider's payments and a run's visits."""
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request

base, rounds = sys.argv[1], int(sys.argv[2])
floor_ms = float(sys.argv[3]) if len(sys.argv) > 3 else None
REPORTS = ["placements", "placements?by=provider", "placements?period=week&by=period", "electronic", "time-to-place",
           "framework-share", "prices", "budgets", "delivery", "savings"]

def signed_in(email):
    jar = http.cookiejar.CookieJar()
    client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    client.open(base + "/sign-in").read()
    csrf = next(c.value for c in jar if c.name == "cm_csrf")
    form = urllib.parse.urlencode({"csrf_token": csrf, "email": email, "password": "caremarket-demo"}).encode()
    client.open(urllib.request.Request(base + "/api/sign-in", data=form, headers={"Accept": "application/json"})).read()
    # Signing in gives the session a token of its own for its forms.
    return client, next(c.value for c in jar if c.name == "cm_csrf")

client, csrf = signed_in("commissioner@demo.test")

def fetch(path, who=None):
    with (who or client).open(base + path) as reply:
        return reply.status, urllib.parse.urlparse(reply.geturl()).path, reply.read()

def timed(path, marker=b'class="table report-table"', who=None):
    start = time.perf_counter()
    status, final, body = fetch(path, who)
    elapsed = (time.perf_counter() - start) * 1000
    # Whole, not a sign-in page or an error: the page has its marker, a CSV its header and a row.
    whole = body.count(b"\r\n") >= 2 if "csv" in path else marker in body
    if status != 200 or final != path.partition("?")[0] or not whole:
        sys.exit(f"{path}: status {status} at {final}, not whole")
    return elapsed

def post(path, fields):
    data = urllib.parse.urlencode({"csrf_token": csrf, **fields}).encode()
    start = time.perf_counter()
    # As a browser's form without JavaScript: answered with a redirect to the page it leads to.
    with client.open(urllib.request.Request(base + path, data=data, headers={"Accept": "text/html"})) as reply:
        reply.read()
        return (time.perf_counter() - start) * 1000, reply.geturl()

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

# The oversight pages: what the commissioner (and a provider) open to oversee the money.
draw_ms, drawn_at = post("/api/draw-audit-sample", {"form[flags][0]": "off_framework", "form[flags][1]": "missed_or_queried", "form[share]": "2"})
sample = re.search(r"/audits/(AS-[A-Z0-9-]+)", drawn_at)
if not sample:
    sys.exit(f"drawing the audit sample went to {drawn_at}")
print(f"drawing the month's audit sample (every budget with the off-framework or missed-visits flag, 2% of the rest): {draw_ms:.0f} ms")
post("/api/set-finance-codes", {f"codes[{kind}_{code}]": f"{code[:2].upper()}1" for kind in ("payment", "allocation", "recovery") for code in ("cost_centre", "account_code")})
run = re.search(rb"/payments/(PR-[0-9]+-SEED[0-9]+)/remittance.csv", fetch("/payments")[2])
provider, _ = signed_in("provider@demo.test")
provider_run = re.search(rb"/provider/payments/(PR-[0-9]+-SEED[0-9]+)/visits.csv", fetch("/provider/payments", provider)[2])
if not run or not provider_run:
    sys.exit("no payment run on /payments or /provider/payments: is this the bench data set?")
TABLE = b'<table class="table">'
OVERSIGHT = [
    ("/budgets", b"Page 1 of ", None),
    ("/budgets?find=holder04", b"budgets found", None),
    ("/audits", TABLE, None),
    (f"/audits/{sample.group(1)}", b"Drawing again from this seed gives exactly these cases.", None),
    ("/recoveries", b"RC-", None),
    ("/payments", b"PR-", None),
    (f"/payments/{run.group(1).decode()}/remittance.csv", None, None),
    ("/finance/export.csv?from=2026-10-01&to=2026-10-31", None, None),
    ("/budgets/statements/2026-10/csv", None, None),
    ("/budget/statements/2026-10?budget=4", TABLE, None),
    ("/provider/payments", TABLE, provider),
    (f"/provider/payments/{provider_run.group(1).decode()}/visits.csv", None, provider),
]
print(f"{'oversight page or download':60} {'p50':>9} {'p95':>9}")
for path, marker, who in OVERSIGHT:
    times = [timed(path, marker, who) for _ in range(rounds)]
    worst = max(worst, percentile(times, 95))
    print(f"{path:60} {statistics.median(times):9.1f} {percentile(times, 95):9.1f}")
print(f"slowest p95: {worst:.1f} ms")
if floor_ms is not None:
    print(f"    {'met' if worst <= floor_ms else 'MISSED'}: every p95 at most {floor_ms:.0f} ms")
    sys.exit(0 if worst <= floor_ms else 1)
