#!/usr/bin/env python3
"""Load, race and verification half of tests/multihost/multihost-test.sh (python3 standard library only).

multihost-test.sh builds the hosts (network namespaces, workers, lighttpd front servers, one PostgreSQL);
this program drives them from the host and decides whether the run passed:

  phase "load"    concurrent creates with unique names through every front server, plus race pairs (the
                  same name sent to two front servers at once): only 201s; each race gives one 201 and one
                  400 "already exists".
  phase "restart" the same load while PostgreSQL is restarted (--restart-cmd): every answer is 201 or a
                  503 with a JSON "detail" (400 "already exists" only for race names), none takes longer
                  than --timeout seconds; afterwards creates through every front server succeed again
                  within --recover-timeout seconds, the workers being left alone.
  phase "after"   load again once recovered: only 201s.

Then it reads the applications table (--psql) and checks that every acknowledged create exists exactly
once with the id and name its 201 reported, that every other row belongs to a request without a definite
answer (a 503: counted as ambiguous, not a failure), that no (name, organization) appears twice, and that
GET /api/v2/applications/?page_size=1 counts the same through every front server.

Exit status 0 only if every check passed.
"""

import argparse
import base64
import collections
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse

DUPLICATE = "Application with this Name and Organization already exists."


class Outcome:
    __slots__ = ("phase", "front", "kind", "name", "status", "body", "raw", "error", "start", "end", "request_id")

    def __init__(self, phase, front, kind, name):
        self.phase, self.front, self.kind, self.name = phase, front, kind, name
        self.status = None  # HTTP status, None when no answer came (connection error, timeout)
        self.body = None  # parsed JSON, None if not JSON
        self.raw = b""
        self.error = None
        self.request_id = None  # X-API-Request-Id: the worker logs it with the request
        self.start = self.end = 0.0

    @property
    def latency(self):
        return self.end - self.start


class Run:
    def __init__(self, args):
        self.args = args
        self.fronts = []
        for url in args.front:
            parsed = urllib.parse.urlsplit(url)
            self.fronts.append((parsed.hostname, parsed.port or 80))
        self.auth = "Basic " + base64.b64encode(args.auth.encode()).decode()
        self.org = None
        self.lock = threading.Lock()
        self.outcomes = []
        self.failures = []
        self.notes = []
        # Restart bookkeeping (phase "restart").
        self.restart_began = None  # monotonic time at which the restart command started
        self.restart_done = None  # monotonic time at which the restart command returned
        self.recovered = {}  # front index -> monotonic end time of its first 201 sent after the restart

    # ---- HTTP ---------------------------------------------------------------------------------------------

    def connection(self, front):
        host, port = self.fronts[front]
        return http.client.HTTPConnection(host, port, timeout=self.args.timeout)

    def send(self, conn, method, path, payload=None, outcome=None):
        headers = {"Authorization": self.auth, "Connection": "close", "Accept": "application/json"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        if outcome is not None:
            outcome.request_id = response.getheader("X-API-Request-Id")
        return response.status, response.read()

    def create(self, phase, front, kind, name, conn=None):
        """POSTs one application; never raises. conn may be a connection already opened (races)."""
        outcome = Outcome(phase, front, kind, name)
        own = conn or self.connection(front)
        payload = {"name": name, "organization": self.org, "client_type": "confidential",
                   "authorization_grant_type": "password"}
        outcome.start = time.monotonic()
        try:
            outcome.status, outcome.raw = self.send(own, "POST", "/api/v2/applications/", payload, outcome)
        except Exception as e:  # noqa: BLE001 - every way of not getting an answer is recorded
            outcome.error = "%s: %s" % (type(e).__name__, e)
        finally:
            outcome.end = time.monotonic()
            own.close()
        try:
            outcome.body = json.loads(outcome.raw) if outcome.raw else None
        except ValueError:
            outcome.body = None
        with self.lock:
            self.outcomes.append(outcome)
            if (outcome.status == 201 and self.restart_done is not None and outcome.start >= self.restart_done
                    and front not in self.recovered):
                self.recovered[front] = outcome.end
        return outcome

    def fail(self, message):
        with self.lock:
            self.failures.append(message)

    # ---- setup --------------------------------------------------------------------------------------------

    def create_organization(self):
        name = "%s-org" % self.args.prefix
        status, raw = self.send(self.connection(0), "POST", "/api/v2/organizations/", {"name": name})
        if status != 201:
            raise SystemExit("creating the organization through front 1 answered %s: %r" % (status, raw[:300]))
        self.org = json.loads(raw)["id"]
        print("organization %r has id %d" % (name, self.org), flush=True)

    # ---- load ---------------------------------------------------------------------------------------------

    def unique_client(self, phase, front, thread, counter, stop):
        while not stop.is_set():
            seq = counter.take()
            if seq is None:
                return
            name = "%s-%s-f%d-%05d" % (self.args.prefix, phase, front + 1, seq)
            outcome = self.create(phase, front, "unique", name)
            if outcome.status not in (201, 400):
                time.sleep(0.02)  # do not spin on a database that is down

    def race_client(self, phase, front, barrier, state, stop):
        index = 0
        while True:
            conn = self.connection(front)
            try:
                conn.connect()
            except Exception as e:  # noqa: BLE001
                self.fail("race: cannot connect to front %d: %s" % (front + 1, e))
                conn = None
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                return
            if not state["go"]:
                if conn:
                    conn.close()
                return
            name = "%s-%s-race-%03d" % (self.args.prefix, phase, index)
            if conn is None:
                barrier.abort()
                return
            self.create(phase, front, "race", name, conn)
            index += 1

    def run_phase(self, phase, per_front, races, controller=None):
        """per_front: number of unique creates per front server, or None to run until stopped.
        races: number of race pairs, or None to race until stopped. controller runs in this thread while
        the clients load and must return when they should stop."""
        stop = threading.Event()
        threads = []
        for front in range(len(self.fronts)):
            counter = Counter(per_front)
            for t in range(self.args.threads):
                threads.append(threading.Thread(target=self.unique_client, args=(phase, front, t, counter, stop)))
        state = {"go": True, "rounds": 0}

        def next_round():
            state["go"] = not stop.is_set() and (races is None or state["rounds"] < races)
            state["rounds"] += 1

        if len(self.fronts) >= 2 and (races is None or races > 0):
            barrier = threading.Barrier(2, action=next_round, timeout=3 * self.args.timeout)
            for front in (0, 1):
                threads.append(threading.Thread(target=self.race_client, args=(phase, front, barrier, state, stop)))
        began = time.monotonic()
        for t in threads:
            t.start()
        if controller is not None:
            try:
                controller()
            finally:
                stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        print("phase %-7s done in %.1f s" % (phase, elapsed), flush=True)
        return elapsed

    def restart_controller(self):
        time.sleep(self.args.before_restart)
        print("restarting PostgreSQL under load ...", flush=True)
        began = time.monotonic()
        self.restart_began = began
        done = subprocess.run([self.args.restart_cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=120)
        ended = time.monotonic()
        with self.lock:
            self.restart_done = ended
        self.restart_seconds = ended - began
        if done.returncode != 0:
            self.fail("the PostgreSQL restart command failed (%d): %s" % (done.returncode, done.stdout.decode()))
            return
        print("PostgreSQL restarted in %.1f s; waiting for creates through every front server" %
              self.restart_seconds, flush=True)
        deadline = ended + self.args.recover_timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.recovered) == len(self.fronts):
                    break
            time.sleep(0.05)
        with self.lock:
            missing = [f + 1 for f in range(len(self.fronts)) if f not in self.recovered]
        if missing:
            self.fail("restart: no create succeeded through front server(s) %s within %.0f s after PostgreSQL "
                      "was back" % (missing, self.args.recover_timeout))
            return
        time.sleep(self.args.after_recovery)

    # ---- checks -------------------------------------------------------------------------------------------

    def check_restart_covered(self):
        """The restart must have happened under load: creates sent to every front server while it ran."""
        if self.restart_began is None or self.restart_done is None:
            self.fail("restart: PostgreSQL was not restarted")
            return
        for front in range(len(self.fronts)):
            during = [o for o in self.outcomes if o.phase == "restart" and o.front == front
                      and self.restart_began <= o.start <= self.restart_done]
            before = [o for o in self.outcomes if o.phase == "restart" and o.front == front and o.status == 201
                      and o.end < self.restart_began]
            if not during or not before:
                self.fail("restart: front %d had %d creates acknowledged before the restart and %d sent while it "
                          "ran; the restart was not under load" % (front + 1, len(before), len(during)))

    def check_answers(self):
        by_phase_name = collections.defaultdict(list)
        for o in self.outcomes:
            by_phase_name[(o.phase, o.name)].append(o)
            where = "%s front %d %s %r" % (o.phase, o.front + 1, o.kind, o.name)
            if o.request_id:
                where += " (request %s)" % o.request_id
            if o.status is None:
                self.fail("%s: no answer after %.1f s (%s)" % (where, o.latency, o.error))
                continue
            if o.latency > self.args.timeout:
                self.fail("%s: answered %d after %.1f s (limit %.0f s)" % (where, o.status, o.latency,
                                                                           self.args.timeout))
            if o.status == 201:
                b = o.body if isinstance(o.body, dict) else {}
                if b.get("name") != o.name or b.get("organization") != self.org or not isinstance(b.get("id"), int):
                    self.fail("%s: 201 with an unexpected body %r" % (where, o.raw[:300]))
            elif o.status == 400 and o.kind == "race":
                if DUPLICATE not in o.raw.decode("utf-8", "replace"):
                    self.fail("%s: 400 without %r: %r" % (where, DUPLICATE, o.raw[:300]))
            elif o.status == 503 and o.phase == "restart":
                if not (isinstance(o.body, dict) and "detail" in o.body):
                    self.fail("%s: 503 without a JSON detail: %r" % (where, o.raw[:300]))
            else:
                self.fail("%s: unexpected %d %r" % (where, o.status, o.raw[:300]))
        # Race pairs.
        for (phase, name), group in sorted(by_phase_name.items()):
            if group[0].kind != "race":
                continue
            statuses = sorted(o.status if o.status is not None else 0 for o in group)
            if len(group) != 2:
                self.fail("race %s %r: %d requests instead of 2" % (phase, name, len(group)))
            elif phase != "restart" and statuses != [201, 400]:
                self.fail("race %s %r: statuses %s, expected one 201 and one 400" % (phase, name, statuses))
            elif statuses.count(201) > 1:
                self.fail("race %s %r: both front servers answered 201" % (phase, name))

    def psql(self, sql):
        done = subprocess.run(self.args.psql + ["-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                                                "-c", sql],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if done.returncode != 0:
            raise SystemExit("psql failed: %s" % done.stderr.decode())
        return [line.split("\t") for line in done.stdout.decode().splitlines() if line]

    def check_database(self):
        rows = self.psql("SELECT id, name, organization_id FROM applications ORDER BY id")
        created = self.psql("SELECT object1_id, count(*) FROM activity_stream "
                            "WHERE object1 = 'o_auth2_application' AND operation = 'create' GROUP BY object1_id")
        counted = self.psql("SELECT n FROM row_counts WHERE table_name = 'applications'")
        acked = {}  # name -> outcome of its 201
        sent = collections.defaultdict(list)
        for o in self.outcomes:
            sent[o.name].append(o)
            if o.status == 201:
                if o.name in acked:
                    self.fail("%r acknowledged twice (ids %s and %s)" % (o.name, body_id(acked[o.name]),
                                                                         body_id(o)))
                acked[o.name] = o
        ids = collections.Counter(body_id(o) for o in acked.values())
        for app_id, n in ids.items():
            if n > 1:
                self.fail("id %s was reported by %d different 201s" % (app_id, n))
        db_names = collections.Counter()
        db_by_name = {}
        for app_id, name, org in rows:
            db_names[(name, org)] += 1
            db_by_name[name] = (int(app_id), int(org))
        for (name, org), n in db_names.items():
            if n > 1:
                self.fail("(name %r, organization %s) is in the database %d times" % (name, org, n))
        lost = 0
        for name, o in acked.items():
            found = db_by_name.get(name)
            if found is None:
                lost += 1
                self.fail("LOST WRITE: %r was acknowledged (201, id %s, %s front %d) but is not in the database"
                          % (name, body_id(o), o.phase, o.front + 1))
            elif found != (body_id(o), self.org):
                self.fail("%r: 201 said id %s organization %s, the database has id %s organization %s"
                          % (name, body_id(o), self.org, found[0], found[1]))
        ambiguous = 0
        for name in db_by_name:
            if name in acked:
                continue
            answers = sent.get(name)
            if not answers:
                self.fail("the database has %r, which was never sent" % name)
            elif any(o.status == 503 or o.status is None for o in answers):
                ambiguous += 1
            else:
                self.fail("the database has %r, whose requests were all answered %s" %
                          (name, [o.status for o in answers]))
        for o in self.outcomes:
            if o.status == 400 and o.name not in db_by_name:
                self.fail("%r was refused as a duplicate (%s front %d) but is not in the database"
                          % (o.name, o.phase, o.front + 1))
        if len(rows) != len(acked) + ambiguous:
            self.fail("the database has %d applications, expected %d acknowledged + %d ambiguous"
                      % (len(rows), len(acked), ambiguous))
        # Each application was created with its activity-stream entry, in the same transaction.
        row_ids = {int(r[0]) for r in rows}
        history = {int(i): int(n) for i, n in created}
        for app_id in row_ids:
            if history.get(app_id) != 1:
                self.fail("application %d has %s 'create' activity-stream entries" % (app_id, history.get(app_id, 0)))
        for app_id in history:
            if app_id not in row_ids:
                self.fail("an activity-stream 'create' entry names application %d, which is not in the database"
                          % app_id)
        if not counted or int(counted[0][0]) != len(rows):
            self.fail("row_counts says %s applications, the table has %d" % (counted, len(rows)))
        # Every front server counts what the database holds.
        api_counts = []
        for front in range(len(self.fronts)):
            try:
                status, raw = self.send(self.connection(front), "GET", "/api/v2/applications/?page_size=1")
                count = json.loads(raw).get("count") if status == 200 else None
            except Exception as e:  # noqa: BLE001
                status, raw, count = None, ("%s: %s" % (type(e).__name__, e)).encode(), None
            api_counts.append(count)
            if count != len(rows):
                self.fail("GET /api/v2/applications/?page_size=1 through front %d: %s %r, the database has %d"
                          % (front + 1, status, raw[:200], len(rows)))
        self.ambiguous_names = sorted(n for n in db_by_name if n not in acked and n in sent)
        return {"rows": len(rows), "acked": len(acked), "ambiguous": ambiguous, "lost": lost,
                "api_counts": api_counts}

    def worker_log_lines(self, outcome):
        """The lines of the front server's worker log that name the outcome's request id."""
        if not outcome.request_id or outcome.front >= len(self.args.worker_log):
            return []
        try:
            with open(self.args.worker_log[outcome.front], errors="replace") as log:
                return [line.rstrip("\n") for line in log if outcome.request_id in line]
        except OSError:
            return []

    # ---- report -------------------------------------------------------------------------------------------

    def summary(self, db, phase_seconds):
        print()
        print("%-8s %-6s %9s %6s %6s %6s %6s %8s %12s" % ("phase", "front", "requests", "201", "400", "503",
                                                          "other", "no-answ", "max latency"))
        for phase in ("load", "restart", "after"):
            for front in range(len(self.fronts)):
                mine = [o for o in self.outcomes if o.phase == phase and o.front == front]
                if not mine:
                    continue
                st = collections.Counter(o.status for o in mine)
                other = sum(n for s, n in st.items() if s not in (201, 400, 503, None))
                print("%-8s %-6d %9d %6d %6d %6d %6d %8d %10.3f s" % (
                    phase, front + 1, len(mine), st[201], st[400], st[503], other, st[None],
                    max(o.latency for o in mine)))
        for phase, seconds in phase_seconds.items():
            n = sum(1 for o in self.outcomes if o.phase == phase)
            print("phase %-7s %5d requests in %5.1f s (%.0f/s)" % (phase, n, seconds, n / seconds if seconds else 0))
        races = collections.defaultdict(list)
        for o in self.outcomes:
            if o.kind == "race":
                races[(o.phase, o.name)].append(o.status)
        for phase in ("load", "restart"):
            pairs = collections.Counter(tuple(sorted(s or 0 for s in v)) for (p, _), v in races.items() if p == phase)
            if pairs:
                print("race pairs in %-7s %s" % (phase, ", ".join("%s x%d" % ("+".join(map(str, k)), n)
                                                                   for k, n in sorted(pairs.items()))))
        if self.restart_done is not None:
            print("PostgreSQL restart command took %.2f s" % self.restart_seconds)
            for front in range(len(self.fronts)):
                if front in self.recovered:
                    print("front %d: first 201 of a create sent after the restart, %.2f s after it returned"
                          % (front + 1, self.recovered[front] - self.restart_done))
            unsuccessful = [o for o in self.outcomes if o.phase == "restart" and o.status not in (201, 400)]
            if unsuccessful:
                first = min(o.start for o in unsuccessful)
                last = max(o.end for o in unsuccessful)
                print("answers other than 201/400 in the restart phase: %d, sent from %+.2f s to answered %+.2f s "
                      "relative to the start of the restart command" % (len(unsuccessful), first - self.restart_began,
                                                                     last - self.restart_began))
        if db:
            print("database: %d applications = %d acknowledged + %d ambiguous (503 that committed); lost %d; "
                  "API counts %s" % (db["rows"], db["acked"], db["ambiguous"], db["lost"], db["api_counts"]))
        if getattr(self, "ambiguous_names", None):
            print("ambiguous rows (a 503 whose write was committed all the same): %d" % len(self.ambiguous_names))
            for name in self.ambiguous_names[:10]:
                for o in self.outcomes:
                    if o.name == name:
                        print("  %s: front %d answered %s (request %s)" % (name, o.front + 1, o.status, o.request_id))
                        for line in self.worker_log_lines(o):
                            print("    worker: " + line)
        print("max latency overall: %.3f s" % max((o.latency for o in self.outcomes), default=0))


def body_id(outcome):
    return outcome.body.get("id") if isinstance(outcome.body, dict) else None


class Counter:
    """Hands out 0..limit-1 (or forever when limit is None) to the threads of one front server."""

    def __init__(self, limit):
        self.limit, self.next, self.lock = limit, 0, threading.Lock()

    def take(self):
        with self.lock:
            if self.limit is not None and self.next >= self.limit:
                return None
            self.next += 1
            return self.next - 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--front", action="append", required=True, help="http://HOST:PORT of a front server (2+)")
    p.add_argument("--auth", required=True, help="USER:PASSWORD of a superuser")
    p.add_argument("--psql", required=True, help="psql command reaching the test database (JSON list)")
    p.add_argument("--restart-cmd", required=True, help="executable restarting PostgreSQL")
    p.add_argument("--prefix", required=True, help="prefix of every name this run sends")
    p.add_argument("--worker-log", action="append", default=[],
                   help="log file of the worker behind each --front, in the same order (for diagnostics)")
    p.add_argument("--threads", type=int, default=8, help="client threads per front server")
    p.add_argument("--creates", type=int, default=300, help="unique creates per front server in phase load")
    p.add_argument("--after-creates", type=int, default=100, help="unique creates per front server in phase after")
    p.add_argument("--races", type=int, default=20, help="race pairs in phase load")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds a request may take")
    p.add_argument("--before-restart", type=float, default=2.0, help="seconds of load before the restart")
    p.add_argument("--recover-timeout", type=float, default=15.0)
    p.add_argument("--after-recovery", type=float, default=2.0, help="seconds of load once both recovered")
    args = p.parse_args()
    args.psql = json.loads(args.psql)
    if len(args.front) < 2:
        p.error("at least two --front")

    run = Run(args)
    run.create_organization()
    phase_seconds = {}
    phase_seconds["load"] = run.run_phase("load", args.creates, args.races)
    phase_seconds["restart"] = run.run_phase("restart", None, None, run.restart_controller)
    # The next phase must find the workers recovered: skip it if they did not.
    if len(run.recovered) == len(run.fronts):
        phase_seconds["after"] = run.run_phase("after", args.after_creates, 0)
    run.check_restart_covered()
    run.check_answers()
    db = None
    try:
        db = run.check_database()
    except SystemExit as e:
        run.fail(str(e))
    except Exception as e:  # noqa: BLE001 - reported as a failed check, with the summary
        run.fail("checking the database failed: %s: %s" % (type(e).__name__, e))
    run.summary(db, phase_seconds)
    print()
    if run.failures:
        print("FAILED: %d check(s) did not pass. By kind (names and front numbers folded), with one example:"
              % len(run.failures))
        kinds = collections.OrderedDict()
        for message in run.failures:
            kind = re.sub(r"'%s-[^']*'" % re.escape(args.prefix), "NAME", message)
            kind = re.sub(r"front \d+", "front N", kind)
            kind = re.sub(r"\d+\.\d+ s", "T s", kind)
            kind = re.sub(r"request [0-9a-f]{32}", "request ID", kind)
            kinds.setdefault(kind, []).append(message)
        for kind, messages in kinds.items():
            print("  %5d x %s" % (len(messages), kind))
            print("          e.g. %s" % messages[0])
            request = re.search(r"request ([0-9a-f]{32})", messages[0])
            if request:
                for path in args.worker_log:
                    with open(path, errors="replace") as log:
                        for line in log:
                            if request.group(1) in line:
                                print("          worker log: " + line.rstrip("\n"))
        return 1
    print("PASSED: no lost or duplicated writes across %d front servers, PostgreSQL restarted mid-load"
          % len(run.fronts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
