#!/usr/bin/python3
"""Sequences, SERIAL and RETURNING over real sockets (docs/schema.md, "Sequences"):

  * crash: sessions call nextval() and insert into a SERIAL table while the server is SIGKILLed at a
    random moment, several times; after each restart no value handed out before comes again (every new
    value is above every value any client saw), the committed SERIAL ids are distinct and inserting goes
    on without 23505; a clean shutdown (SIGTERM) leaves no gap;
  * concurrent: many sessions call nextval() on one sequence and insert into one SERIAL table (some in
    transactions that roll back): every value is distinct, nextval's values are exactly 1..N (nothing
    rolled back gives a value back, nothing is skipped without a crash), the table's ids are distinct;
  * returning_psycopg2: INSERT / UPDATE / DELETE ... RETURNING through the simple query protocol: rows,
    RowDescription types, command tags (cursor.statusmessage);
  * copy_serial: COPY FROM gives SERIAL and identity columns a value per row;
  * returning_psycopg3: the same through the extended protocol (server-side parameters, prepared
    statements), as ORMs send it.
"""

import os
import random
import signal
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, parse_args, run_tests  # noqa: E402

CYCLES = int(os.environ.get("OMENDB_SEQ_CRASH_CYCLES", "6"))


def crash(args):
    rng = random.Random(int(os.environ.get("OMENDB_SEQ_SEED", "7")))
    srv = Server(args.server_bin)
    try:
        srv.start()
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE SEQUENCE s")
        cur.execute("CREATE TABLE t (id SERIAL PRIMARY KEY, w INT)")
        c.close()
        seen = []          # every nextval value a client received, over all cycles
        ids = set()        # SERIAL ids whose INSERT was acknowledged
        lock = threading.Lock()
        for cycle in range(CYCLES):
            stop = threading.Event()
            before = len(seen)

            def worker(k):
                try:
                    conn = srv.connect()
                    cu = conn.cursor()
                    while not stop.is_set():
                        cu.execute("SELECT nextval('s')")
                        v = cu.fetchone()[0]
                        cu.execute("INSERT INTO t (w) VALUES (%s) RETURNING id", (k,))
                        i = cu.fetchone()[0]
                        with lock:
                            seen.append(v)
                            assert i not in ids, "SERIAL id %d returned twice" % i
                            ids.add(i)
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    return  # the server was killed

            threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
            for th in threads:
                th.start()
            time.sleep(rng.uniform(0.2, 1.5))
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            stop.set()
            for th in threads:
                th.join()
            srv.proc = None
            assert len(seen) > before, "cycle %d: no nextval before the kill" % cycle
            srv.start()
            conn = srv.connect()
            cu = conn.cursor()
            cu.execute("SELECT nextval('s')")
            after = cu.fetchone()[0]
            assert after > max(seen), "cycle %d: nextval %d after restart, %d handed out before" % (
                cycle, after, max(seen))
            seen.append(after)
            cu.execute("SELECT id FROM t")
            stored_list = [r[0] for r in cu.fetchall()]
            stored = set(stored_list)
            assert len(stored) == len(stored_list), "duplicate SERIAL ids"
            assert ids <= stored, "acknowledged inserts lost: %s" % sorted(ids - stored)[:5]
            cu.execute("INSERT INTO t (w) VALUES (-1) RETURNING id")
            new_id = cu.fetchone()[0]
            assert new_id > max(stored), "SERIAL id %d after restart, %d stored" % (new_id, max(stored))
            ids.add(new_id)
            conn.close()
        assert len(seen) == len(set(seen)), "a nextval value repeated"
        # A clean shutdown keeps the exact position: no gap.
        conn = srv.connect()
        cu = conn.cursor()
        cu.execute("SELECT nextval('s')")
        last = cu.fetchone()[0]
        conn.close()
        code = srv.stop()
        assert code == 0
        srv.start()
        conn = srv.connect()
        cu = conn.cursor()
        cu.execute("SELECT nextval('s')")
        assert cu.fetchone()[0] == last + 1
        conn.close()
        print("    %d nextval values over %d crashes, %d SERIAL rows" % (len(seen), CYCLES, len(ids)))
    finally:
        srv.cleanup()


def concurrent(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE SEQUENCE cs")
        cur.execute("CREATE TABLE ct (id BIGSERIAL PRIMARY KEY, k INT)")
        sessions, per = 8, 300
        values, ids, errors = [], [], []
        lock = threading.Lock()

        def worker(k):
            try:
                conn = srv.connect()
                cu = conn.cursor()
                mine, my_ids = [], []
                for i in range(per):
                    cu.execute("SELECT nextval('cs')")
                    mine.append(cu.fetchone()[0])
                    if i % 10 == 0:  # a transaction that rolls back: its id is not given back
                        cu.execute("BEGIN")
                        cu.execute("INSERT INTO ct (k) VALUES (%s) RETURNING id", (k,))
                        cu.fetchone()
                        cu.execute("ROLLBACK")
                    cu.execute("INSERT INTO ct (k) VALUES (%s), (%s) RETURNING id", (k, k))
                    my_ids.extend(r[0] for r in cu.fetchall())
                conn.close()
                with lock:
                    values.extend(mine)
                    ids.extend(my_ids)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(sessions)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors[:3]
        assert sorted(values) == list(range(1, sessions * per + 1)), "nextval values are not 1..N"
        assert len(ids) == len(set(ids)) == sessions * per * 2
        cur.execute("SELECT id FROM ct")
        stored = sorted(r[0] for r in cur.fetchall())
        assert stored == sorted(ids), "the table's ids are not the ids RETURNING gave"
        top = stored[-1]
        # the rolled-back inserts took values too, which nobody gets again: the sequence handed out
        # exactly 1..stored + rolled back
        cur.execute("SELECT last_value, is_called FROM ct_id_seq")
        rolled_back = sessions * len(range(0, per, 10))
        assert cur.fetchone() == (len(ids) + rolled_back, True)
        assert top <= len(ids) + rolled_back


def returning_psycopg2(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE TABLE r (id SERIAL PRIMARY KEY, big BIGSERIAL, name VARCHAR(20), n NUMERIC(6, 2))")
        cur.execute("INSERT INTO r (name, n) VALUES ('a', 1.5) RETURNING id")
        assert cur.fetchone() == (1,)
        assert cur.statusmessage == "INSERT 0 1", cur.statusmessage
        assert [d.name for d in cur.description] == ["id"]
        assert cur.description[0].type_code == 23
        cur.execute("INSERT INTO r (name, n) VALUES ('b', 2), ('c', 3) RETURNING *")
        rows = cur.fetchall()
        assert cur.statusmessage == "INSERT 0 2"
        assert [d.name for d in cur.description] == ["id", "big", "name", "n"]
        assert [d.type_code for d in cur.description] == [23, 20, 1043, 1700], cur.description
        assert [(r[0], r[1], r[2], str(r[3])) for r in rows] == [(2, 2, "b", "2.00"), (3, 3, "c", "3.00")], rows
        cur.execute("INSERT INTO r (name) VALUES (%s) RETURNING id + 100 AS plus, name", ("d",))
        assert cur.fetchall() == [(104, "d")]
        assert [d.name for d in cur.description] == ["plus", "name"]
        cur.execute("UPDATE r SET name = name || '!' WHERE id >= 3 RETURNING id, name")
        assert sorted(cur.fetchall()) == [(3, "c!"), (4, "d!")]
        assert cur.statusmessage == "UPDATE 2"
        cur.execute("DELETE FROM r WHERE id = 1 RETURNING name, n")
        assert cur.fetchall() == [("a", __import__("decimal").Decimal("1.50"))]
        assert cur.statusmessage == "DELETE 1"
        cur.execute("DELETE FROM r WHERE id = 1 RETURNING name")
        assert cur.fetchall() == [] and cur.statusmessage == "DELETE 0"
        assert cur.description is not None
        # psycopg2's default mode (BEGIN first), the ORM way: insert, fetch the id, commit
        c2 = srv.connect()
        c2.autocommit = False
        cu2 = c2.cursor()
        cu2.execute("INSERT INTO r (name) VALUES ('tx') RETURNING id")
        new_id = cu2.fetchone()[0]
        c2.commit()
        cur.execute("SELECT name FROM r WHERE id = %s", (new_id,))
        assert cur.fetchone() == ("tx",)
        # a failing statement sends no rows
        try:
            cur.execute("INSERT INTO r (id, name) VALUES (50, 'x'), (50, 'y') RETURNING id")
            raise AssertionError("duplicate key accepted")
        except psycopg2.Error as e:
            assert e.pgcode == "23505", e.pgcode
        cur.execute("SELECT count(*) FROM r WHERE id = 50")
        assert cur.fetchone() == (0,)


def copy_serial(args):
    """COPY FROM into a table with SERIAL and identity columns: a value per row."""
    import io
    with Server(args.server_bin) as srv:
        c = srv.connect()
        cur = c.cursor()
        cur.execute("CREATE TABLE cp (id SERIAL PRIMARY KEY, g BIGINT GENERATED BY DEFAULT AS IDENTITY, "
                    "name TEXT, k INT DEFAULT 7)")
        cur.copy_expert("COPY cp (name) FROM STDIN", io.StringIO("".join("n%d\n" % i for i in range(1000))))
        cur.execute("SELECT id, g, name, k FROM cp ORDER BY id")
        rows = cur.fetchall()
        assert rows == [(i + 1, i + 1, "n%d" % i, 7) for i in range(1000)], rows[:3]
        cur.execute("INSERT INTO cp (name) VALUES ('after') RETURNING id, g")
        assert cur.fetchone() == (1001, 1001)
        cur.execute("CREATE SEQUENCE other")
        cur.execute("CREATE TABLE cp2 (a INT DEFAULT nextval('other') + 1, b TEXT)")
        try:
            cur.copy_expert("COPY cp2 (b) FROM STDIN", io.StringIO("x\n"))
            raise AssertionError("COPY with nextval inside a DEFAULT expression accepted")
        except psycopg2.Error as e:
            assert e.pgcode == "0A000", e.pgcode


def returning_psycopg3(args):
    try:
        import psycopg
    except ImportError:
        print("    psycopg 3 not installed: skipped")
        return
    with Server(args.server_bin) as srv:
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb",
                             autocommit=True) as conn:
            conn.execute("CREATE TABLE items (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                         "name TEXT NOT NULL, qty INT)")
            cur = conn.execute("INSERT INTO items (name, qty) VALUES (%s, %s) RETURNING id", ("a", 1))
            assert cur.fetchone() == (1,)
            assert cur.statusmessage == "INSERT 0 1"
            assert cur.description[0].type_code == 20
            for i in range(3):  # prepared after a few runs, and explicitly
                cur = conn.execute("INSERT INTO items (name, qty) VALUES (%s, %s) RETURNING id, name, qty",
                                   ("p%d" % i, i), prepare=True)
                assert cur.fetchone() == (2 + i, "p%d" % i, i)
            cur = conn.execute("UPDATE items SET qty = qty + %s WHERE id <= %s RETURNING id, qty", (10, 2))
            assert sorted(cur.fetchall()) == [(1, 11), (2, 10)]
            assert cur.statusmessage == "UPDATE 2"
            cur = conn.execute("DELETE FROM items WHERE id = %s RETURNING name", (4,), binary=True)
            assert cur.fetchall() == [("p2",)]
            assert cur.statusmessage == "DELETE 1"
            # executemany with returning (psycopg 3.1): one result per statement
            cur = conn.cursor()
            cur.executemany("INSERT INTO items (name) VALUES (%s) RETURNING id", [("m1",), ("m2",)], returning=True)
            got = []
            while True:
                got.append(cur.fetchone()[0])
                if not cur.nextset():
                    break
            assert got == [5, 6], got
            # pipeline mode, as SQLAlchemy 2 can use
            with conn.pipeline():
                c1 = conn.execute("INSERT INTO items (name) VALUES (%s) RETURNING id", ("pl1",))
                c2 = conn.execute("INSERT INTO items (name) VALUES (%s) RETURNING id", ("pl2",))
            assert (c1.fetchone()[0], c2.fetchone()[0]) == (7, 8)
            # a GENERATED ALWAYS column refuses a value with PostgreSQL's error
            conn.execute("CREATE TABLE ga (id INT GENERATED ALWAYS AS IDENTITY, v TEXT)")
            try:
                conn.execute("INSERT INTO ga (id, v) VALUES (%s, %s)", (1, "x"))
                raise AssertionError("GENERATED ALWAYS accepted a value")
            except psycopg.Error as e:
                assert e.sqlstate == "428C9", e.sqlstate
                assert e.diag.message_hint == "Use OVERRIDING SYSTEM VALUE to override."
            cur = conn.execute("INSERT INTO ga OVERRIDING SYSTEM VALUE VALUES (%s, %s) RETURNING id", (9, "x"))
            assert cur.fetchone() == (9,)


def main():
    args = parse_args()
    failed = run_tests([returning_psycopg2, returning_psycopg3, copy_serial, concurrent, crash], args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
