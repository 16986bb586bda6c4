#!/usr/bin/env python3
"""Crash safety of bookings, run by .ci/test: a server on PostgreSQL (the demo data in a
database of its own) takes bookings from 16 people at once for 10 seconds and is killed with
SIGKILL at 5 seconds; what was in flight is sent again, with the same request keys, to the
restarted server. Then: every booking answered as made exists, no request key and no slot was
booked twice, each request sent again got one booking, and `caremarket ledger-check` passes.

    .ci/crash-bookings.py <caremarket binary> <PostgreSQL server URL>
"""
import datetime, http.cookiejar, json, os, secrets, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.parse, urllib.request

binary, server_url = sys.argv[1], sys.argv[2]
PASSWORD = "caremarket-demo"
PEOPLE, SECONDS, KILL_AT = 16, 10.0, 5.0


def psql(url, sql):
    return subprocess.run(["psql", url, "-qAt", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


database = f"caremarket_crash_{os.getpid()}"
psql(server_url, f"CREATE DATABASE {database}")
database_url = server_url.rsplit("/", 1)[0] + "/" + database
work = tempfile.mkdtemp(prefix="caremarket-crash.")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
base = f"http://127.0.0.1:{port}"
environment = dict(os.environ, DATABASE_URL=database_url, CAREMARKET_DEMO_DATA="true", CAREMARKET_ADDR=f"127.0.0.1:{port}", CAREMARKET_DATA_DIR=work, RUST_LOG="error")


def start():
    server = subprocess.Popen([binary, "serve"], env=environment, stdout=open(f"{work}/server.log", "a"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    sys.exit(f"!! the server did not start: see {work}/server.log")


server = start()


class Person:
    """A budget holder signed in through the pages, with the slots they will book."""

    def __init__(self, email):
        self.jar = http.cookiejar.CookieJar()
        self.client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.client.open(base + "/sign-in").read()
        self.csrf = next(c.value for c in self.jar if c.name == "cm_csrf")
        form = urllib.parse.urlencode({"csrf_token": self.csrf, "email": email, "password": PASSWORD}).encode()
        self.client.open(urllib.request.Request(base + "/api/sign-in", data=form, headers={"Accept": "application/json"})).read()
        # Signing in renews the CSRF token.
        self.csrf = next(c.value for c in self.jar if c.name == "cm_csrf")
        self.page = self.client.open(base + "/dashboard/budget-holder").read().decode()

    def post(self, fields):
        form = urllib.parse.urlencode({"csrf_token": self.csrf, **fields}).encode()
        request = urllib.request.Request(base + "/api/confirm-booking", data=form, headers={"Accept": "application/json"})
        try:
            with self.client.open(request, timeout=30) as reply:
                return reply.status, reply.headers.get("location", "")
        except urllib.error.HTTPError as refused:
            return refused.code, ""


# A home care service open on Mondays 08:00 to 18:00, and people with a direct payment.
def open_at(at):
    with urllib.request.urlopen(base + f"/api/v1/search?category=home_care&day=1&time={at}") as reply:
        return [card["public_id"] for card in json.load(reply)["cards"]]
late = set(open_at("17:30"))
listing = next(public_id for public_id in open_at("08:00") if public_id in late)
people = []
for n in range(1, 400):
    if len(people) == PEOPLE:
        break
    person = Person(f"holder{n:06}@demo.test")
    if "Direct payment" in person.page:
        people.append(person)
if len(people) < PEOPLE:
    sys.exit(f"!! only {len(people)} people with a direct payment signed in")
monday = datetime.date.today() + datetime.timedelta(days=2)
while monday.weekday() != 0:
    monday += datetime.timedelta(days=1)
# Each person books their own Mondays' half hours, one after another (people may share a slot).
slots = [(str(monday + datetime.timedelta(weeks=w)), f"{h:02}:{m:02}") for w in range(50) for h in range(8, 18) for m in (0, 30)]


def answers(slot):
    date, at = slot
    return {"answers[how_often]": "once", "answers[date]": date, "answers[time]": at, "answers[minutes]": "30", "answers[weekdays]": ""}


# The cost the check page shows for one half-hour visit.
query = urllib.parse.urlencode({"listing": listing, **answers(slots[0])})
with people[0].client.open(base + "/api/quote-booking?" + query) as reply:
    quoted = json.load(reply)["four_weeks_pence"]

lock = threading.Lock()
answered, in_flight, refused, unexpected = {}, [], 0, []
killed = threading.Event()


def book(index, person):
    global refused
    started = time.monotonic()
    for slot in slots[index:] + slots[:index]:
        if time.monotonic() - started > SECONDS:
            return
        key = secrets.token_hex(32)
        fields = {"listing": listing, **answers(slot), "request_key": key, "quoted_total": str(quoted)}
        try:
            status, where = person.post(fields)
        except (OSError, urllib.error.URLError):
            # No answer: the server died with it in flight. Sent again once it is back.
            with lock:
                in_flight.append((person, fields))
            killed.wait()
            time.sleep(1.0)
            continue
        with lock:
            if status == 200 and where.startswith("/bookings/"):
                answered[key] = where.removeprefix("/bookings/")
            elif status == 422:
                refused += 1
            else:
                unexpected.append((status, fields))
                return


threads = [threading.Thread(target=book, args=(n, p)) for n, p in enumerate(people)]
for thread in threads:
    thread.start()
time.sleep(KILL_AT)
server.send_signal(signal.SIGKILL)
server.wait()
before_kill = len(answered)
server = start()
killed.set()
for thread in threads:
    thread.join()
retried = {}
for person, fields in in_flight:
    status, where = person.post(fields)
    if status == 200 and where.startswith("/bookings/"):
        retried[fields["request_key"]] = where.removeprefix("/bookings/")
    elif status != 422:
        sys.exit(f"!! a request sent again was answered {status}")
server.send_signal(signal.SIGTERM)
server.wait()

references = set(psql(database_url, "SELECT reference FROM bookings").split())
missing = [ref for ref in list(answered.values()) + list(retried.values()) if ref not in references]
twice_by_key = psql(database_url, "SELECT COUNT(*) FROM (SELECT request_key FROM bookings WHERE request_key IS NOT NULL GROUP BY request_key HAVING COUNT(*) > 1) AS d")
twice_by_slot = psql(database_url, "SELECT COUNT(*) FROM (SELECT person_id, starts_at FROM bookings WHERE status IN ('requested', 'confirmed', 'in_progress') GROUP BY person_id, starts_at HAVING COUNT(*) > 1) AS d")
per_retry = [psql(database_url, f"SELECT COUNT(*) FROM bookings WHERE request_key = '{fields['request_key']}'") for _, fields in in_flight]
check = subprocess.run([binary, "ledger-check"], env=environment, capture_output=True, text=True)
print(f"crash test: {before_kill} bookings answered before the kill, {len(answered)} in all, {len(in_flight)} in flight sent again "
      f"({len(retried)} booked, the rest refused), {refused} refused; {len(references)} bookings in the database")
problems = []
if unexpected:
    problems.append(f"{len(unexpected)} unexpected answers, the first {unexpected[0]}")
if missing:
    problems.append(f"{len(missing)} bookings answered as made are missing: {missing[:5]}")
if twice_by_key != "0" or twice_by_slot != "0":
    problems.append(f"booked twice: {twice_by_key} request keys, {twice_by_slot} slots")
if any(count != "1" for count, (_, fields) in zip(per_retry, in_flight) if fields["request_key"] in retried):
    problems.append(f"a request sent again does not have exactly one booking: {per_retry}")
if check.returncode != 0:
    problems.append(f"ledger-check failed: {check.stdout} {check.stderr}")
if before_kill == 0 or len(answered) + len(retried) == 0:
    problems.append("nothing was booked: the test tested nothing")
psql(server_url, f"DROP DATABASE {database}")
if problems:
    sys.exit("!! " + "\n!! ".join(problems))
