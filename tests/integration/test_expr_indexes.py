#!/usr/bin/python3
"""Expression and partial indexes under concurrency and across restarts, as PostgreSQL 15 behaves
(docs/schema.md, "Expression and partial indexes").

  * waits: a second session inserting a key another session inserted into a partial unique index
    (`UNIQUE (user_id) WHERE deleted_at IS NULL`) but has not committed waits; after a COMMIT it fails
    with 23505, after a ROLLBACK it succeeds; a row the predicate leaves out neither waits nor conflicts;
    the same for a unique expression index (`lower(email)`);
  * races: 8 sessions insert live rows for the same users (and soft-delete them) at once: in the end at most
    one live row per user, every other attempt 23505, and an index scan and a table scan agree;
  * restart: the indexes (definitions, entries, enforcement, the planner's use of them) survive kill -9.

`--host/--port` runs everything but `restart` against a running server: PostgreSQL 15 passes it too."""

import os
import random
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, check_waits, expect_error, fresh, run_main_connected  # noqa: E402

SESSIONS = 8
USERS = 20


def test_waits(connect):
    admin = fresh(connect, "pw", "CREATE TABLE pw (id INT PRIMARY KEY, user_id INT, deleted_at TIMESTAMP, email TEXT)")
    cur = admin.cursor()
    cur.execute("CREATE UNIQUE INDEX pw_live ON pw (user_id) WHERE deleted_at IS NULL")
    cur.execute("CREATE UNIQUE INDEX pw_email ON pw (lower(email))")
    cases = [
        ("INSERT INTO pw VALUES (1, 1, NULL)", "INSERT INTO pw VALUES (2, 1, NULL)", "commit", "23505"),
        ("INSERT INTO pw VALUES (3, 2, NULL)", "INSERT INTO pw VALUES (4, 2, NULL)", "rollback", "ok"),
        ("INSERT INTO pw VALUES (5, 5, NULL)", "UPDATE pw SET user_id = 5 WHERE id = 1", "commit", "23505"),
        ("UPDATE pw SET deleted_at = now() WHERE id = 1", "INSERT INTO pw VALUES (6, 1, NULL)", "commit", "ok"),
        ("INSERT INTO pw VALUES (7, 7, NULL, 'A@x')", "INSERT INTO pw VALUES (8, 8, NULL, 'a@X')", "commit", "23505"),
        ("INSERT INTO pw VALUES (9, 9, NULL, 'B@x')", "INSERT INTO pw VALUES (10, 10, NULL, 'b@X')", "rollback", "ok"),
        ("INSERT INTO pw VALUES (11, 11, NULL)",
         "INSERT INTO pw VALUES (12, 11, NULL) ON CONFLICT (user_id) WHERE deleted_at IS NULL DO NOTHING",
         "rollback", "ok"),
    ]
    check_waits(connect, cases)
    # A row the predicate leaves out takes no lock on the value: no wait, no conflict.
    s1 = connect(False)
    s1.cursor().execute("INSERT INTO pw VALUES (20, 20, NULL)")
    s2 = connect(True)
    s2.cursor().execute("SET lock_timeout = '2s'")
    s2.cursor().execute("INSERT INTO pw VALUES (21, 20, '2024-01-01')")
    s1.commit()
    s1.close()
    s2.close()
    cur.execute("SELECT id, user_id FROM pw WHERE deleted_at IS NULL ORDER BY id")
    got = cur.fetchall()
    want = [(4, 2), (5, 5), (6, 1), (7, 7), (10, 10), (12, 11), (20, 20)]
    assert got == want, "rows %s, want %s" % (got, want)
    admin.cursor().execute("DROP TABLE pw")
    admin.close()


def test_races(connect):
    admin = fresh(connect, "pr", "CREATE TABLE pr (id SERIAL PRIMARY KEY, user_id INT, deleted_at TIMESTAMP)")
    admin.cursor().execute("CREATE UNIQUE INDEX pr_live ON pr (user_id) WHERE deleted_at IS NULL")
    stats = {"won": 0, "dup": 0, "deleted": 0, "other": []}
    lock = threading.Lock()

    def session(seed):
        rnd = random.Random(seed)
        c = connect(True)
        cur = c.cursor()
        for _ in range(60):
            u = rnd.randrange(USERS)
            try:
                if rnd.random() < 0.25:
                    cur.execute("UPDATE pr SET deleted_at = now() WHERE user_id = %s AND deleted_at IS NULL", (u,))
                    with lock:
                        stats["deleted"] += cur.rowcount
                else:
                    cur.execute("INSERT INTO pr (user_id) VALUES (%s)", (u,))
                    with lock:
                        stats["won"] += 1
            except psycopg2.Error as e:
                with lock:
                    if e.pgcode == "23505":
                        stats["dup"] += 1
                    elif e.pgcode not in ("40001", "40P01"):
                        stats["other"].append(e.pgcode + " " + str(e))
        c.close()

    threads = [threading.Thread(target=session, args=(s,)) for s in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not stats["other"], stats["other"][:5]
    cur = admin.cursor()
    cur.execute("SELECT user_id, count(*) FROM pr WHERE deleted_at IS NULL GROUP BY user_id HAVING count(*) > 1")
    assert cur.fetchall() == [], "two live rows for one user"
    cur.execute("SELECT count(*) FROM pr WHERE deleted_at IS NULL")
    live = cur.fetchone()[0]
    assert live == stats["won"] - stats["deleted"], (live, stats)
    assert stats["dup"] > 0, stats
    # Through the index (the WHERE implies its predicate) and through the table: the same rows.
    for u in range(USERS):
        cur.execute("SELECT id FROM pr WHERE user_id = %s AND deleted_at IS NULL", (u,))
        via_index = cur.fetchall()
        cur.execute("SELECT id FROM pr WHERE user_id + 0 = %s AND deleted_at IS NULL", (u,))
        assert via_index == cur.fetchall(), u
    admin.cursor().execute("DROP TABLE pr")
    admin.close()


def test_restart(server_bin):
    with Server(server_bin) as srv:
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        cur.execute("CREATE TABLE px (id INT PRIMARY KEY, user_id INT, email TEXT, deleted_at TIMESTAMP)")
        cur.execute("INSERT INTO px SELECT g, g % 10, 'U' || g || '@x', CASE WHEN g % 3 = 0 THEN now() END "
                    "FROM generate_series(1, 30) g")
        cur.execute("CREATE INDEX px_email ON px (lower(email))")
        cur.execute("CREATE UNIQUE INDEX px_live ON px (user_id, lower(email)) WHERE deleted_at IS NULL")
        cur.execute("INSERT INTO px VALUES (31, 1, 'u31@X', NULL)")
        c.close()
        srv.kill()
        srv.start()
        c = psycopg2.connect(host="127.0.0.1", port=srv.port, user="postgres", dbname="postgres")
        c.autocommit = True
        cur = c.cursor()
        cur.execute("SELECT pg_get_indexdef('px_live'::regclass)")
        got = cur.fetchone()[0]
        want = ("CREATE UNIQUE INDEX px_live ON public.px USING btree (user_id, lower(email)) "
                "WHERE (deleted_at IS NULL)")
        assert got == want, got
        expect_error(c, "INSERT INTO px VALUES (32, 1, 'U31@x', NULL)", "23505")
        cur.execute("INSERT INTO px VALUES (32, 1, 'U31@x', now())")
        cur.execute("EXPLAIN SELECT id FROM px WHERE lower(email) = 'u7@x'")
        plan = "\n".join(r[0] for r in cur.fetchall())
        assert "IndexScan px using px_email" in plan, plan
        cur.execute("SELECT id FROM px WHERE lower(email) = 'u7@x'")
        assert cur.fetchall() == [(7,)]
        cur.execute("SELECT id FROM px WHERE user_id = 1 AND lower(email) = 'u31@x' AND deleted_at IS NULL")
        assert cur.fetchall() == [(31,)]
        c.close()


def main():
    return run_main_connected([test_waits, test_races], [test_restart])


if __name__ == "__main__":
    sys.exit(main())
