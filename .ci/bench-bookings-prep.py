#!/usr/bin/env python3
"""Prepares the booking benchmark against a running server on the bench data set: signs in
budget holders who have a direct payment with at least £2,000 to spend (about 160 bookings each) (found through the
pages, as a person would), picks a home care service open 08:00 to 18:00 on Mondays, and
writes a Lua table for bench-bookings.lua: each holder's cookies and CSRF token, the service,
the cost shown for one half-hour visit (which confirming sends back), and the Monday dates and
times each holder books (one visit per slot, so no two clash)."""
import datetime, http.cookiejar, json, re, secrets, sys, urllib.parse, urllib.request

base, wanted, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
PASSWORD = "caremarket-demo"

def get_json(path):
    with urllib.request.urlopen(base + path) as reply:
        return json.load(reply)

# A home care service open on Mondays from 08:00 until at least 18:00.
def open_at(time):
    found = get_json(f"/api/v1/search?category=home_care&day=1&time={time}&per_page=50")
    return [card["public_id"] for card in found["cards"]]
late = set(open_at("17:30"))
listing = next(public_id for public_id in open_at("08:00") if public_id in late)

monday = datetime.date.today() + datetime.timedelta(days=2)
while monday.weekday() != 0:
    monday += datetime.timedelta(days=1)
dates = [str(monday + datetime.timedelta(weeks=n)) for n in range(50)]
times = [f"{hour:02}:{minute:02}" for hour in range(8, 18) for minute in (0, 30)]

sessions = []
for n in range(1, 20000):
    if len(sessions) == wanted:
        break
    jar = http.cookiejar.CookieJar()
    client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    client.open(base + "/sign-in").read()
    csrf = next(c.value for c in jar if c.name == "cm_csrf")
    form = urllib.parse.urlencode({"csrf_token": csrf, "email": f"holder{n:06}@demo.test", "password": PASSWORD}).encode()
    client.open(urllib.request.Request(base + "/api/sign-in", data=form, headers={"Accept": "application/json"})).read()
    # Signing in renews the CSRF token.
    csrf = next(c.value for c in jar if c.name == "cm_csrf")
    page = client.open(base + "/dashboard/budget-holder").read().decode()
    available = re.search(r"Available to spend</dt><dd>£([\d,]+)\.", page)
    if "Direct payment" not in page or not available or int(available.group(1).replace(",", "")) < 2000:
        continue
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    sessions.append((cookie, csrf))

# The cost "check your answers" shows for one half-hour visit, which confirming sends back.
query = urllib.parse.urlencode({"listing": listing, "answers[how_often]": "once", "answers[date]": dates[0], "answers[time]": times[0], "answers[minutes]": "30", "answers[weekdays]": ""})
quote = urllib.request.Request(base + "/api/quote-booking?" + query, headers={"Accept": "application/json", "Cookie": sessions[0][0]})
with urllib.request.urlopen(quote) as reply:
    quoted = json.load(reply)["four_weeks_pence"]

with open(out, "w") as lua:
    lua.write("return {\n  listing = %s,\n  run = %s,\n  quoted = %d,\n" % (json.dumps(listing), json.dumps(secrets.token_hex(8)), quoted))
    lua.write("  dates = {%s},\n" % ", ".join(json.dumps(d) for d in dates))
    lua.write("  times = {%s},\n" % ", ".join(json.dumps(t) for t in times))
    lua.write("  sessions = {\n%s\n  },\n}\n" % ",\n".join("    {cookie = %s, csrf = %s}" % (json.dumps(c), json.dumps(t)) for c, t in sessions))
print(f"{len(sessions)} budget holders signed in; booking {listing}", file=sys.stderr)
