#!/usr/bin/python3
"""The isolation level an application asks for is the one it gets (issue 13's silent downgrade).

psycopg2 in its default mode (autocommit off) sends BEGIN before the first statement of a transaction, so
an application that runs `BEGIN ISOLATION LEVEL REPEATABLE READ` itself sends it inside a block that is
already open. PostgreSQL 15 answers WARNING 25001 "there is already a transaction in progress" and applies
the level; OmenDB kept READ COMMITTED without a word, and a bank test written that way (read a balance,
write it back minus the amount) created money.

  * lost_update: two connections force the anomaly's interleaving: the transfer reads a balance, another
    session changes it, the transfer writes back what it read: COMMIT must fail with 40001;
  * bank: 32 writers in psycopg2's default mode doing read-balance-then-write-back transfers for a few
    seconds (OMENDB_ISOLATION_SECONDS, default 3), retrying on 40001: the total must stay 20,000;
  * startup: the level asked for in the connection's options (libpq's PGOPTIONS, psycopg2's options=)
    applies, and a bad value refuses the connection (FATAL 22023) instead of being ignored;
  * warnings: psql shows "WARNING:  there is already a transaction in progress" (a NoticeResponse with
    severity WARNING and SQLSTATE 25001) and psycopg2 collects it; a change of level after the first query
    fails with 25001 "SET TRANSACTION ISOLATION LEVEL must be called before any query".

`--host/--port` runs it against a running server (PostgreSQL 15 gives the same results)."""

import os
import random
import subprocess
import sys
import threading
import time

import psycopg2
import psycopg2.extensions as ext

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import connector, run_main, run_tests  # noqa: E402

ACCOUNTS = 20
INITIAL = 1000
WRITERS = 32


def make_accounts(connect):
    c = connect(autocommit=True)
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS accounts")
    cur.execute("CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)")
    cur.execute("INSERT INTO accounts VALUES " + ", ".join("(%d, %d)" % (a, INITIAL) for a in range(ACCOUNTS)))
    return c


def balance(cur, account):
    cur.execute("SELECT balance FROM accounts WHERE id = %d" % account)
    return cur.fetchone()[0]


def test_lost_update(connect):
    admin = make_accounts(connect)
    t = connect(autocommit=False)  # psycopg2's default mode
    cur = t.cursor()
    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")  # psycopg2 sent BEGIN before it
    cur.execute("SHOW transaction_isolation")
    assert cur.fetchone()[0] == "repeatable read", "the nested BEGIN's isolation level was not applied"
    read = balance(cur, 0)
    admin.cursor().execute("UPDATE accounts SET balance = balance + 500 WHERE id = 0")  # a concurrent deposit
    try:
        # PostgreSQL fails the UPDATE (it meets the newer row version), OmenDB the COMMIT (first committer
        # wins): both with 40001, and neither writes the stale balance.
        cur.execute("UPDATE accounts SET balance = %d WHERE id = 0" % (read - 100))
        t.commit()
        committed = True
    except psycopg2.Error as e:
        assert e.pgcode == "40001", "the write-back failed with %s %s" % (e.pgcode, e)
        t.rollback()
        committed = False
    final = balance(admin.cursor(), 0)
    assert not committed, "the write-back of a stale balance committed (final balance %d): lost update" % final
    assert final == INITIAL + 500, "final balance %d, expected %d" % (final, INITIAL + 500)
    t.close()
    admin.close()


def transfer_writer(connect, n, deadline, seed, out):
    rnd = random.Random(seed)
    done = retries = 0
    try:
        conn = connect(autocommit=False)
        cur = conn.cursor()
        while time.monotonic() < deadline:
            src = rnd.randrange(ACCOUNTS)
            dst = rnd.choice([a for a in range(ACCOUNTS) if a != src])
            amount = rnd.randint(1, 100)
            while time.monotonic() < deadline:
                try:
                    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    s = balance(cur, src)
                    d = balance(cur, dst)
                    cur.execute("UPDATE accounts SET balance = %d WHERE id = %d" % (s - amount, src))
                    cur.execute("UPDATE accounts SET balance = %d WHERE id = %d" % (d + amount, dst))
                    conn.commit()
                    done += 1
                    break
                except psycopg2.Error as e:
                    if e.pgcode not in ("40001", "40P01"):
                        raise
                    conn.rollback()
                    retries += 1
        conn.close()
    except Exception as e:  # noqa: BLE001 (reported by the main thread)
        out["errors"].append("writer %d: %s %r" % (n, getattr(e, "pgcode", ""), e))
    finally:
        with out["lock"]:
            out["done"] += done
            out["retries"] += retries


def test_bank(connect, seconds, seed):
    admin = make_accounts(connect)
    out = {"lock": threading.Lock(), "done": 0, "retries": 0, "errors": []}
    t0 = time.monotonic()
    deadline = t0 + seconds
    threads = [threading.Thread(target=transfer_writer, args=(connect, n, deadline, seed * 100 + n, out))
               for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    assert not any(t.is_alive() for t in threads), "writers still running a minute after the deadline"
    assert not out["errors"], "\n".join(out["errors"][:10])
    cur = admin.cursor()
    cur.execute("SELECT sum(balance), count(*) FROM accounts")
    total, count = cur.fetchone()
    print("  bank: %d transfers in %.1fs, %d retries on 40001, total %d of %d"
          % (out["done"], time.monotonic() - t0, out["retries"], total, ACCOUNTS * INITIAL), flush=True)
    assert out["done"] > 0, "no transfer committed"
    assert (total, count) == (ACCOUNTS * INITIAL, ACCOUNTS), \
        "money not conserved: total %d over %d accounts, expected %d" % (total, count, ACCOUNTS * INITIAL)
    admin.close()


def test_warnings(connect, host, port, user, dbname):
    # psycopg2 collects the WARNING of its own BEGIN followed by the application's.
    c = connect(autocommit=False)
    cur = c.cursor()
    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    assert c.notices == ["WARNING:  there is already a transaction in progress\n"], c.notices
    cur.execute("SELECT 1")
    try:
        cur.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        raise AssertionError("a change of isolation level after the first query was accepted")
    except psycopg2.Error as e:
        assert e.pgcode == "25001", e.pgcode
        assert e.pgerror.startswith("ERROR:  SET TRANSACTION ISOLATION LEVEL must be called before any query"), \
            e.pgerror
    assert c.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
    c.rollback()
    c.close()

    # psql prints the NoticeResponse with its severity and SQLSTATE.
    script = ("\\set VERBOSITY verbose\n"
              "BEGIN;\nBEGIN ISOLATION LEVEL REPEATABLE READ;\nSHOW transaction_isolation;\nCOMMIT;\n"
              "COMMIT;\nSET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n")
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    p = subprocess.run(["psql", "-X", "-h", host, "-p", str(port), "-U", user, "-d", dbname, "-f", "-"],
                       input=script, capture_output=True, text=True, timeout=60, env=env)
    lines = [l for l in p.stderr.splitlines() if not l.startswith("LOCATION:")]
    # psql prefixes messages from a script with "psql:<stdin>:N: ".
    messages = [l.split(": ", 1)[1] if l.startswith("psql:") else l for l in lines]
    assert messages == ["WARNING:  25001: there is already a transaction in progress",
                        "WARNING:  25P01: there is no transaction in progress",
                        "WARNING:  25P01: SET TRANSACTION can only be used in transaction blocks"], p.stderr
    assert "repeatable read" in p.stdout, p.stdout


def test_startup(connect):
    c = connect(autocommit=True, options="-c default_transaction_isolation=repeatable\\ read")
    cur = c.cursor()
    cur.execute("SHOW transaction_isolation")
    assert cur.fetchone()[0] == "repeatable read", "the startup option's isolation level was not applied"
    c.close()
    c = connect(autocommit=False, options="--default-transaction-isolation=read\\ uncommitted -c synchronous_commit=off")
    cur = c.cursor()
    cur.execute("SHOW transaction_isolation")
    assert cur.fetchone()[0] == "read uncommitted"
    cur.execute("SHOW synchronous_commit")
    assert cur.fetchone()[0] == "off"
    c.close()
    try:
        connect(autocommit=True, options="-c default_transaction_isolation=bogus").close()
        raise AssertionError("a bad isolation level in the startup options was accepted")
    except psycopg2.OperationalError as e:
        assert 'invalid value for parameter "default_transaction_isolation": "bogus"' in str(e), str(e)


def test_read_only(connect, host, port, user, dbname):
    """READ ONLY as drivers ask for it: psycopg2's set_session(readonly=True) (BEGIN READ ONLY in its
    default mode, default_transaction_read_only in autocommit), psycopg 3's read_only over the extended
    protocol, and default_transaction_read_only in the startup options: every write is 25006 and nothing
    is written; reads work."""
    import psycopg
    c = connect(autocommit=True)
    c.cursor().execute("DROP TABLE IF EXISTS ro_t")
    c.cursor().execute("CREATE TABLE ro_t (id int PRIMARY KEY)")
    c.cursor().execute("INSERT INTO ro_t VALUES (1)")
    c.close()

    def refused(conn, sql, params=None):
        try:
            conn.cursor().execute(sql, params)
        except (psycopg2.Error, psycopg.Error) as e:
            code = getattr(e, "pgcode", None) or getattr(getattr(e, "diag", None), "sqlstate", None)
            assert code == "25006", (sql, code, str(e))
            conn.rollback()
            return
        raise AssertionError("%s ran in a read-only transaction" % sql)

    for autocommit in (False, True):
        c = connect(autocommit=autocommit)
        c.set_session(readonly=True)
        cur = c.cursor()
        cur.execute("SELECT count(*) FROM ro_t")
        assert cur.fetchone() == (1,)
        if not autocommit:
            c.rollback()
        refused(c, "INSERT INTO ro_t VALUES (%s)", (2,))
        refused(c, "UPDATE ro_t SET id = 3")
        refused(c, "SELECT id FROM ro_t FOR UPDATE")
        c.close()
    c3 = psycopg.connect(host=host, port=port, user=user, dbname=dbname, autocommit=False)
    c3.read_only = True
    assert c3.execute("SELECT count(*) FROM ro_t WHERE id = %s", (1,)).fetchone() == (1,)
    c3.rollback()
    refused(c3, "INSERT INTO ro_t VALUES (%s)", (4,))
    refused(c3, "DELETE FROM ro_t WHERE id = %s", (1,))
    c3.close()
    c = connect(autocommit=True, options="-c default_transaction_read_only=on")
    cur = c.cursor()
    cur.execute("SHOW transaction_read_only")
    assert cur.fetchone() == ("on",)
    refused(c, "INSERT INTO ro_t VALUES (5)")
    c.close()
    c = connect(autocommit=True)
    cur = c.cursor()
    cur.execute("SELECT array_agg(id ORDER BY id) FROM ro_t")
    assert cur.fetchone() == ([1],), "a refused write left a row"
    cur.execute("DROP TABLE ro_t")
    c.close()


def main():
    def extra(ap):
        ap.add_argument("--seconds", type=float, default=float(os.environ.get("OMENDB_ISOLATION_SECONDS", "3")))
        ap.add_argument("--seed", type=int,
                        default=int(os.environ.get("OMENDB_ISOLATION_SEED", time.time_ns() % 100000)))

    def run(args):
        print("seed %d (OMENDB_ISOLATION_SEED to repeat the random choices)" % args.seed)
        connect = connector(args)
        return run_tests([("lost_update", lambda: test_lost_update(connect)),
                          ("startup", lambda: test_startup(connect)),
                          ("read_only", lambda: test_read_only(connect, args.host, args.port, args.user, args.dbname)),
                          ("warnings", lambda: test_warnings(connect, args.host, args.port, args.user, args.dbname)),
                          ("bank", lambda: test_bank(connect, args.seconds, args.seed))], args)

    return run_main(run, extra)


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
