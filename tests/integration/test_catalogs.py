#!/usr/bin/python3
"""Drivers reading the system catalogs: psycopg2 and psycopg 3 (server-side parameters, binary results) query
information_schema.columns and pg_catalog with the column types (RowDescription OIDs) and values PostgreSQL 15
gives for the same schema (the expected values were read from a PostgreSQL 15 cluster running CATALOG_DDL)."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402
from harness import Server, expect_error, parse_args, query, run_tests  # noqa: E402

NAME, OID, CHAR, INT4, VARCHAR, TEXT, BOOL = 19, 26, 18, 23, 1043, 25, 16

DDL = ["CREATE TABLE s (k TEXT PRIMARY KEY, v VARCHAR(20), ts TIMESTAMPTZ, d DATE)",
       "CREATE TABLE t (id BIGINT PRIMARY KEY, a INT NOT NULL, b TEXT, c DOUBLE PRECISION)"]

COLUMNS_SQL = ("SELECT table_name, column_name, ordinal_position, is_nullable, data_type, character_maximum_length, "
               "udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
               "ORDER BY ordinal_position")

# PostgreSQL 15's answer (psycopg2 on a PostgreSQL 15.18 cluster with DDL above)
S_COLUMNS = [("s", "k", 1, "NO", "text", None, "text"),
             ("s", "v", 2, "YES", "character varying", 20, "varchar"),
             ("s", "ts", 3, "YES", "timestamp with time zone", None, "timestamptz"),
             ("s", "d", 4, "YES", "date", None, "date")]
S_DESCRIPTION = [("table_name", NAME, 64), ("column_name", NAME, 64), ("ordinal_position", INT4, 4),
                 ("is_nullable", VARCHAR, 3), ("data_type", TEXT, -1), ("character_maximum_length", INT4, 4),
                 ("udt_name", NAME, 64)]  # PostgreSQL: data_type is varchar (1043) without a length


def test_psycopg2_information_schema(args):
    data = tempfile.mkdtemp(prefix="omendb-catalogs-")
    try:
        check_psycopg2(args, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def check_psycopg2(args, data):
    with Server(args.server_bin, data_dir=data) as srv:
        c = srv.connect()
        for ddl in DDL:
            query(c, ddl)
        cur = c.cursor()
        cur.execute(COLUMNS_SQL, ("s",))
        assert cur.fetchall() == S_COLUMNS
        assert [(d.name, d.type_code, d.internal_size) for d in cur.description] == S_DESCRIPTION, cur.description
        # pg_catalog: oid, name, "char" and the primary key, as a GUI tool asks for them
        cur.execute("SELECT c.oid, c.relname, c.relkind, a.attname, a.attnum FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                    "JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary "
                    "WHERE c.relname = %s AND a.attnum = 1", ("t",))
        rows = cur.fetchall()
        assert [(d.name, d.type_code) for d in cur.description] == [
            ("oid", OID), ("relname", NAME), ("relkind", CHAR), ("attname", NAME), ("attnum", INT4)], cur.description
        assert len(rows) == 1 and rows[0][1:] == ("t", "r", "id", 1) and rows[0][0] >= 16384, rows
        table_oid = rows[0][0]
        cur.execute("SELECT pg_catalog.pg_get_constraintdef(con.oid), con.conrelid = %s FROM pg_catalog.pg_constraint con "
                    "WHERE con.conrelid = %s", (table_oid, table_oid))
        assert cur.fetchall() == [("PRIMARY KEY (id)", True)]
        c.close()
    with Server(args.server_bin, data_dir=data) as srv:  # the OIDs are stable: the same after a restart
        c = srv.connect()
        assert query(c, "SELECT oid FROM pg_class WHERE relname = 't'") == [(table_oid,)]
        expect_error(c, "UPDATE pg_catalog.pg_class SET relname = 'x'", "42501")
        c.close()


def test_psycopg3_binary_and_parameters(args):
    with Server(args.server_bin) as srv:
        c = srv.connect()
        for ddl in DDL:
            query(c, ddl)
        c.close()
        with psycopg.connect(host="127.0.0.1", port=srv.port, user="omendb", dbname="omendb", autocommit=True) as conn:
            for binary in (False, True):
                cur = conn.cursor(binary=binary)
                cur.execute(COLUMNS_SQL, ("s",))  # $1 inferred as name from table_name = $1
                assert cur.fetchall() == S_COLUMNS, binary
                cur.execute("SELECT c.oid, c.relname, c.relkind FROM pg_catalog.pg_class c WHERE c.oid = %s",
                            (16384,))
                rows = cur.fetchall()
                assert rows == [(16384, "s", "r")], (binary, rows)
                cur.execute("SELECT relname FROM pg_class WHERE relname ~ %s ORDER BY 1", ("^[st]$",))
                assert cur.fetchall() == [("s",), ("t",)], binary


def test_sqlalchemy_default_engine_and_table_names(args):
    """SQLAlchemy's psycopg2 dialect probes pg_type for hstore on connect (with its default
    use_native_hstore=True) and lists tables from pg_class; get_columns() waits on subqueries."""
    import sqlalchemy
    with Server(args.server_bin) as srv:
        c = srv.connect()
        for ddl in DDL:
            query(c, ddl)
        c.close()
        engine = sqlalchemy.create_engine("postgresql+psycopg2://omendb@127.0.0.1:%d/omendb" % srv.port)
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT 1")).scalar() == 1
        inspector = sqlalchemy.inspect(engine)
        assert sorted(inspector.get_table_names()) == ["s", "t"]
        assert inspector.has_table("t") and not inspector.has_table("nosuch")
        engine.dispose()


if __name__ == "__main__":
    sys.exit(1 if run_tests([test_psycopg2_information_schema, test_psycopg3_binary_and_parameters,
                             test_sqlalchemy_default_engine_and_table_names],
                            parse_args()) else 0)
