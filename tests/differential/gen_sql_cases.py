#!/usr/bin/python3
"""Generates the cross-type differential test's cases and asks a real PostgreSQL 15 for their answers.

    PG_REFERENCE_CMD="/usr/bin/python3 tests/differential/gen_sql_cases.py" tests/sqllogictest/pg_reference.sh

(or, with a PostgreSQL 15 already running: PGHOST=127.0.0.1 PGPORT=5512 /usr/bin/python3 gen_sql_cases.py)
writes tests/differential/sql_cases.tsv: the `setup` statements (tables of edge values), then one case a line,
    family <TAB> SQL (a JSON string) <TAB> status <TAB> result
status "ok" with result = JSON [column type OIDs, rows of values as the server's text], or the SQLSTATE of the
error with result = JSON [message, detail] (sqlcase.py renders both sides the same way).
tests/integration/test_sql_differential.py runs every case on OmenDB through the real server and compares.

The cases are generated deterministically (no randomness) over edge values: NULLs, the limits of every
integer type, -0, NaN, +-Infinity, numerics of 30+ digits, multi-byte UTF-8 and very long strings, odd and
deep JSON, leap days, month ends, DST transitions, dates before 1970 and after 2038; each family also reads
the same values from a table, so both the constant folder and compiled code answer.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sqlcase  # noqa: E402  (puts tests/integration on the path)
import pgraw  # noqa: E402

OUT = os.path.join(HERE, "sql_cases.tsv")

setup = ["SET TimeZone = 'UTC'"]
cases = []  # (family, sql)
seen = set()


def add(family, sql):
    if sql not in seen:
        seen.add(sql)
        cases.append((family, sql))


def lit(v, t):
    """A typed literal: NULL::t or 'v'::t (v with quotes doubled)."""
    if v is None:
        return "NULL::%s" % t
    return "'%s'::%s" % (v.replace("'", "''"), t)


def table(name, typ, values):
    """A table name(k, v) holding the values (k = 1..n): edge values read by compiled code."""
    setup.append("DROP TABLE IF EXISTS %s" % name)
    setup.append("CREATE TABLE %s (k int PRIMARY KEY, v %s)" % (name, typ))
    rows = ", ".join("(%d, %s)" % (i + 1, lit(v, typ)) for i, v in enumerate(values))
    setup.append("INSERT INTO %s VALUES %s" % (name, rows))


# ------------------------------------------------------------------------------------------------ integers
INTS = {
    "smallint": ["-32768", "32767", "0", "-1", "1", "2", "-2", "100", None],
    "integer": ["-2147483648", "2147483647", "0", "-1", "1", "2", "-2", "46341", None],
    "bigint": ["-9223372036854775808", "9223372036854775807", "0", "-1", "1", "2", "-2", "3037000500", None],
}
SHORT = {"smallint": "i2", "integer": "i4", "bigint": "i8"}
for t, vals in INTS.items():
    table("v_" + SHORT[t], t, vals)

for a_t in INTS:
    for b_t in INTS:
        for a in INTS[a_t]:
            for b in INTS[b_t]:
                if a_t != b_t and (a not in ("-32768", "-2147483648", "-9223372036854775808", "-1", "2", None)
                                   or b not in ("-1", "0", "2", "32767", "2147483647", "9223372036854775807")):
                    continue
                for op in ["+", "-", "*", "/", "%"]:
                    if a_t != b_t and op in ("%",):
                        continue
                    add("int", "SELECT %s %s %s" % (lit(a, a_t), op, lit(b, b_t)))
    for a in INTS[a_t]:
        add("int", "SELECT -%s" % lit(a, a_t))
        add("int", "SELECT abs(%s)" % lit(a, a_t))
        add("int", "SELECT @ %s" % lit(a, a_t))
        add("int", "SELECT ~%s" % lit(a, a_t))
        for b in ["0", "1", "15", "31", "63", "64", "-1"]:
            add("int", "SELECT %s << %s, %s >> %s" % (lit(a, a_t), b, lit(a, a_t), b))
        for b in ["-1", "2", "0"]:
            add("int", "SELECT %s & %s, %s | %s, %s # %s" % ((lit(a, a_t), lit(b, a_t)) * 3))
        for to in ["smallint", "integer", "bigint", "numeric", "real", "double precision", "text", "boolean",
                   "oid", "numeric(5,2)", "char(3)", "varchar(2)"]:
            add("int_cast", "SELECT CAST(%s AS %s)" % (lit(a, a_t), to))
    # Column forms: the same operators over a table's values.
    tb = "v_" + SHORT[a_t]
    for op in ["+", "-", "*", "/", "%"]:
        for b in ["-1", "0", "2"]:
            add("int", "SELECT k, v %s %s FROM %s ORDER BY k" % (op, lit(b, a_t), tb))
        add("int", "SELECT a.k, b.k, a.v %s b.v FROM %s a, %s b WHERE a.k <= 4 AND b.k <= 4 ORDER BY 1, 2"
            % (op, tb, tb))
    for to in ["smallint", "integer", "bigint", "numeric", "real", "double precision", "text"]:
        add("int_cast", "SELECT k, v::%s FROM %s ORDER BY k" % (to, tb))
    add("int", "SELECT sum(v), min(v), max(v), avg(v), count(v), bit_and(v), bit_or(v) FROM %s" % tb)
    add("int", "SELECT sum(v) FROM %s WHERE v > 0" % tb)
    add("int", "SELECT k, -v, abs(v) FROM %s ORDER BY k" % tb)

INT_TEXT = ["0", "-0", "+0", " 12 ", "+12", "-12", "1e3", "0x10", "1_000", "", " ", "12abc", "1.5", "--1", "+-1",
            "32767", "32768", "-32768", "-32769", "2147483647", "2147483648", "-2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "00012", "\t7\n", "١٢", "１２", "0b101", "0o17", "99999999999999999999999"]
for s in INT_TEXT:
    for t in ["smallint", "integer", "bigint"]:
        add("int_parse", "SELECT %s" % lit(s, t))
    add("int_parse", "SELECT %s" % lit(s, "numeric"))
for v in ["1.5", "2.5", "-2.5", "-0.5", "0.5", "32767.5", "-32768.5", "2147483647.4", "2147483647.5",
          "9223372036854775807.5", "1e19", "-9223372036854775808.4", "NaN", "Infinity", "-Infinity"]:
    for t in ["smallint", "integer", "bigint"]:
        add("int_cast", "SELECT %s::%s" % (lit(v, "numeric"), t))
        add("int_cast", "SELECT %s::%s" % (lit(v, "double precision"), t))
        add("int_cast", "SELECT %s::%s" % (lit(v, "real"), t))

# ------------------------------------------------------------------------------------------------ floats
F8 = ["NaN", "Infinity", "-Infinity", "-0", "0", "1", "-1", "0.1", "1.5", "2.5", "-2.5", "1e308", "1.7976931348623157e308",
      "2.2250738585072014e-308", "5e-324", "123456789.123", "1e15", "1e16", "1e-5", "3.141592653589793", None]
F4 = ["NaN", "Infinity", "-Infinity", "-0", "0", "1", "0.1", "2.5", "3.4028235e38", "1.17549435e-38", "1e-45",
      "123456.7", "1e6", "16777217", "3.1415927", None]
table("v_f8", "double precision", F8)
table("v_f4", "real", F4)
for t, vals in [("double precision", F8), ("real", F4)]:
    for a in vals:
        add("float", "SELECT %s" % lit(a, t))
        add("float", "SELECT -%s, abs(%s)" % (lit(a, t), lit(a, t)))
        for f in ["round", "trunc", "ceil", "floor", "sign", "sqrt", "cbrt", "exp", "ln", "log", "log10"]:
            add("float", "SELECT %s(%s)" % (f, lit(a, t)))
        for to in ["smallint", "integer", "bigint", "numeric", "real", "double precision", "text", "numeric(10,3)"]:
            add("float", "SELECT CAST(%s AS %s)" % (lit(a, t), to))
    small = [v for v in vals if v in ("NaN", "Infinity", "-Infinity", "-0", "0", "1", "0.1", "2.5", "1e308",
                                      "3.4028235e38", "5e-324", "1e-45", None)]
    for a in small:
        for b in small:
            for op in ["+", "-", "*", "/"]:
                add("float", "SELECT %s %s %s" % (lit(a, t), op, lit(b, t)))
            add("float_cmp", "SELECT %s = %s, %s < %s, %s > %s" % ((lit(a, t), lit(b, t)) * 3))
            add("float", "SELECT power(%s, %s)" % (lit(a, t), lit(b, t)))
for a in ["2", "-2", "0", "10", "0.5", "-8"]:
    for b in ["0.5", "-1", "1000", "-1000", "1.5", "0", "NaN", "Infinity", "-Infinity"]:
        add("float", "SELECT %s ^ %s" % (lit(a, "double precision"), lit(b, "double precision")))
for tb, t in [("v_f8", "double precision"), ("v_f4", "real")]:
    add("float", "SELECT k, v, -v, v + 1, v * 2, v / 3 FROM %s ORDER BY k" % tb)
    add("float", "SELECT v FROM %s ORDER BY v, k" % tb)
    add("float", "SELECT v, count(*) FROM %s GROUP BY v ORDER BY v" % tb)
    add("float", "SELECT min(v), max(v), count(v) FROM %s" % tb)
    add("float", "SELECT sum(v) FROM %s WHERE v < 'Infinity' AND v > 1e-3" % tb)
    for to in ["text", "numeric", "double precision", "real"]:
        add("float", "SELECT k, v::%s FROM %s ORDER BY k" % (to, tb))
    add("float", "SELECT k, v::bigint FROM %s WHERE v < 1e18 AND v > -1e18 ORDER BY k" % tb)
for s in ["NaN", "nan", "  nan  ", "Infinity", "inf", "-inf", "+Infinity", "infinity ", "-INFINITY", "1e400", "1e-400",
          "-1e-400", "0x10", "1.5e", "", " ", "1,5", ".5", "5.", "-.5e-3", "1e39", "1e-46", "4.9e-324", "2e-324"]:
    add("float_parse", "SELECT %s" % lit(s, "double precision"))
    add("float_parse", "SELECT %s" % lit(s, "real"))
for efd in ["0", "-15", "3"]:
    add("float", "SELECT set_config('extra_float_digits', '%s', false) IS NULL" % efd)
    add("float", "SELECT 0.1::float8, 1e-7::float8, 3.14159::real, 1e100::float8, 123456789012::float8")
    add("float", "SELECT k, v FROM v_f8 ORDER BY k")
add("float", "SELECT set_config('extra_float_digits', '1', false) IS NULL")

# ------------------------------------------------------------------------------------------------ numeric
NUM = ["0", "-0", "1", "-1", "0.1", "123456789012345678901234567890.123456789", "-99999999999999999999999999999999999999",
       "0.000000000000000000000000000001", "1e-30", "1.5", "2.5", "-2.5", "0.5", "3.14159265358979323846264338327950288",
       "1e100", "9999999999.99999", "NaN", "Infinity", "-Infinity", "170141183460469231731687303715884105727", None]
table("v_num", "numeric", NUM)
SMALLNUM = ["0", "-1", "0.1", "123456789012345678901234567890.123456789", "1e-30", "2.5", "NaN", "Infinity",
            "-Infinity", None]
for a in NUM:
    add("numeric", "SELECT %s" % lit(a, "numeric"))
    add("numeric", "SELECT -%s, abs(%s), sign(%s)" % ((lit(a, "numeric"),) * 3))
    for f in ["ceil", "floor", "trunc", "round", "sqrt", "exp", "ln", "log", "scale", "min_scale", "trim_scale"]:
        add("numeric", "SELECT %s(%s)" % (f, lit(a, "numeric")))
    for n in ["-3", "0", "2", "5", "40"]:
        add("numeric", "SELECT round(%s, %s), trunc(%s, %s)" % (lit(a, "numeric"), n, lit(a, "numeric"), n))
    for to in ["smallint", "integer", "bigint", "real", "double precision", "text", "numeric(5,2)", "numeric(40,10)",
               "numeric(3)", "numeric(3,-1)", "numeric(2,3)"]:
        add("numeric_cast", "SELECT CAST(%s AS %s)" % (lit(a, "numeric"), to))
for a in SMALLNUM:
    for b in SMALLNUM:
        for op in ["+", "-", "*", "/", "%"]:
            add("numeric", "SELECT %s %s %s" % (lit(a, "numeric"), op, lit(b, "numeric")))
        add("numeric", "SELECT %s < %s, %s = %s" % ((lit(a, "numeric"), lit(b, "numeric")) * 2))
        add("numeric", "SELECT power(%s, %s)" % (lit(a, "numeric"), lit(b, "numeric")))
        add("numeric", "SELECT mod(%s, %s), div(%s, %s)" % ((lit(a, "numeric"), lit(b, "numeric")) * 2))
for s in ["1e1000", "1e-1000", " 12.50 ", "1.", ".1", "+.1e+2", "1e", "e1", "1_000.5", "NaN ", " -Infinity", "inf", "-inf",
          "0x1F", "1.2.3", "", "99999999999999999999999999999999999999999999999999.999999999999999999999"]:
    add("numeric_parse", "SELECT %s" % lit(s, "numeric"))
for lit_text in ["0.1 + 0.2", "0.1 + 0.2 = 0.3", "9223372036854775808", "-9223372036854775808", "1e-7", "-0.0",
                 "123456789012345678901234567890", "1.0 / 3", "2 ^ 0.5", "10::numeric ^ 40", "1 / 3.0 * 3",
                 "pg_typeof(1.5)", "pg_typeof(9223372036854775808)", "pg_typeof(2147483648)", "1.50 * 2.000",
                 "round(2.5), round(-2.5), round(2.5::float8)", "sum(x) FROM (VALUES (0.1), (0.2), (0.3)) t(x)",
                 "avg(x) FROM (VALUES (1), (2), (2)) t(x)", "sum(x) FROM (VALUES (9223372036854775807::bigint), (1)) t(x)",
                 "width_bucket(5.5, 0, 10, 4), width_bucket(-1, 0, 10, 4), width_bucket(10, 0, 10, 4)",
                 "gcd(12, 18), lcm(4, 6), gcd(0, 0)", "factorial(20)", "factorial(-1)", "mod(-7, 3), -7 % 3",
                 "greatest(1, 2.5, 'NaN'::numeric), least(1, 2.5, NULL)", "exp(1000::numeric)", "ln(0::numeric)",
                 "sqrt(-1::numeric)", "0::numeric ^ -1", "(-8)::numeric ^ (1.0/3)", "log(2, 1024)", "log(0, 1)",
                 "to_char(123456789012345678901234567890.12, 'FM999,999,999,999,999,999,999,999,999,999.99')",
                 "to_char(-0.5, '9.9'), to_char(1e30::numeric, '9.99EEEE')"]:
    add("numeric", "SELECT " + lit_text)
add("numeric", "SELECT k, v + 1, v * v, v / 7, round(v, 3) FROM v_num ORDER BY k")
add("numeric", "SELECT v FROM v_num ORDER BY v, k")
add("numeric", "SELECT sum(v), avg(v), min(v), max(v) FROM v_num WHERE k < 10")
add("numeric", "SELECT sum(v), avg(v) FROM v_num")
add("numeric", "SELECT k, v::float8, v::text FROM v_num ORDER BY k")

# ------------------------------------------------------------------------------------------------ strings
STR = ["", "abc", "ABC", "héllo wörld", "日本語テキスト", "🙂emoji🙂", "ÀÉÎõü ß", "a b  c", "  padded  ", "x,y,,z",
       "İstanbul", "ǅungla", "'quoted'", "back\\slash", "tab\there", "ﬁ", "σς", None]
LONG_STR = "repeat('ab€😀', 3000)"
table("v_text", "text", STR)
for s in STR:
    L = lit(s, "text")
    for f in ["length", "char_length", "octet_length", "bit_length", "lower", "upper", "initcap", "reverse", "md5",
              "ascii", "quote_literal", "quote_ident", "quote_nullable", "trim", "ltrim", "rtrim", "btrim", "to_hex_len"]:
        if f == "to_hex_len":
            continue
        if f in ("trim",):
            add("string", "SELECT trim(%s), trim(both 'a' from %s), trim(leading from %s)" % (L, L, L))
        else:
            add("string", "SELECT %s(%s)" % (f, L))
    for n in ["-1", "0", "1", "3", "100"]:
        add("string", "SELECT left(%s, %s), right(%s, %s)" % (L, n, L, n))
        add("string", "SELECT substr(%s, %s), substr(%s, %s, 2)" % (L, n, L, n))
        add("string", "SELECT substring(%s from %s for 3), repeat(%s, %s)" % (L, n, L, n))
        add("string", "SELECT lpad(%s, %s), rpad(%s, %s, 'é✓')" % (L, n, L, n))
        add("string", "SELECT split_part(%s, ' ', %s)" % (L, n))
    for p in ["", "b", "ö", "語", "😀", "c"]:
        add("string", "SELECT position(%s in %s), strpos(%s, %s)" % (lit(p, "text"), L, L, lit(p, "text")))
        add("string", "SELECT replace(%s, %s, '¤'), starts_with(%s, %s)" % (L, lit(p, "text"), L, lit(p, "text")))
    add("string", "SELECT %s || 1, %s || NULL, concat(%s, 1, NULL, true), concat_ws('|', %s, NULL, 2.50)"
        % (L, L, L, L))
    add("string", "SELECT format('%%s|%%I|%%L|%%1$s', %s)" % L)
    for t in ["varchar(3)", "char(3)", "char(10)", "varchar", "bpchar", "name", "\"char\""]:
        add("string_cast", "SELECT CAST(%s AS %s)" % (L, t))
        add("string_cast", "SELECT octet_length(CAST(%s AS %s)), length(CAST(%s AS %s))" % (L, t, L, t))
    add("string", "SELECT %s < 'b', %s = 'abc', %s > 'é'" % (L, L, L))
for e in [LONG_STR, "repeat('x', 100000)", "repeat('é', 65536)"]:
    add("string_long", "SELECT length(%s), octet_length(%s), md5(%s)" % (e, e, e))
    add("string_long", "SELECT upper(%s)" % e)
    add("string_long", "SELECT reverse(%s)" % e)
    add("string_long", "SELECT substr(%s, 9990, 20)" % e)
    add("string_long", "SELECT right(%s, 7), left(%s, 7), strpos(%s, '😀a')" % (e, e, e))
    add("string_long", "SELECT lpad(%s, 12001, '-')" % e)
    add("string_long", "SELECT split_part(%s, '€', 2000)" % e)
    add("string_long", "SELECT replace(%s, 'b', 'BB')" % e)
    add("string_long", "SELECT %s LIKE '%%😀ab%%', %s ~ '(€😀){3000}', %s ILIKE '%%X%%'" % (e, e, e))
for x in ["chr(0)", "chr(65)", "chr(233)", "chr(128512)", "chr(1114111)", "chr(1114112)", "chr(-1)", "chr(55296)",
          "to_hex(255)", "to_hex(-1)", "to_hex(-9223372036854775808)", "to_hex(2147483647::int)",
          "repeat('ab', -1)", "lpad('abc', -5)", "rpad('é', 5, '')", "lpad('日本', 5, '語x')", "split_part('a,b', ',', -1)",
          "split_part('a,b', ',', 0)", "split_part('a,,b', '', 1)", "substr('abc', 2, -1)", "substring('abc' from -2 for 4)",
          "initcap('hELLO wORLD-foo bar_baz 3rd éCOLE')", "upper('ß'), lower('ẞ'), upper('ﬁ')",
          "format('%s %s', 'a')", "format('%z', 1)", "format('%1$s %1$I', 'X y')", "format('%-5s|%5s|', 'ab', 'é')",
          "format('%*s|', 4, 'x')", "format(NULL)", "format('%L', NULL), format('%I', 'Ab')", "format('%%')",
          "quote_ident('select'), quote_ident('a\"b'), quote_ident('ab_1'), quote_ident('Ab')",
          "quote_literal(E'a\\\\b'), quote_literal(42), quote_literal(NULL)", "concat_ws(NULL, 'a')",
          "concat()", "concat_ws(',')", "reverse('👍🏽'), length('👍🏽')", "'abc'::char(5) || 'x'",
          "'ab  '::char(5) = 'ab', 'ab'::char(5) = 'ab   '::char(3)", "length('ab   '::char(5)), octet_length('ab '::char(5))",
          "'abc'::varchar(2)", "'ab  '::varchar(2)", "'日本語'::varchar(2)", "'日本語'::char(2)", "'ab'::char(1)[]",
          "ARRAY['a'::char(3), 'bb']", "'{a,bcd}'::char(2)[]", "ARRAY['x']::char(2)[]",
          "md5(''), md5('é')", "'a' || 'b' || NULL", "'ab' || 1.5 || true", "ascii(''), ascii('é'), ascii('😀')",
          "translate('héllo', 'él', 'E'), translate('abc', 'ab', 'ÀÉ')", "overlay('abcdef' placing 'XY' from 3 for 2)",
          "string_to_array('a,b,,c', ','), string_to_array('abc', NULL), string_to_array('', ',')",
          "array_to_string(ARRAY['a', NULL, 'c'], '-', '*')", "regexp_split_to_array('a1b22c', '[0-9]+')",
          "string_agg(x, ',' ORDER BY x) FROM (VALUES ('é'), ('a'), ('Z')) t(x)", "unistr('\\00e9')",
          "'abc' < 'abd', 'a' < 'B', 'é' > 'z', 'a' < 'a ', '' < ' '"]:
    add("string", "SELECT " + x)
add("string", "SELECT k, v, length(v), upper(v), lower(v), reverse(v) FROM v_text ORDER BY k")
add("string", "SELECT v FROM v_text ORDER BY v, k")
add("string", "SELECT k, substr(v, 2, 3), left(v, -2), lpad(v, 8, '·'), split_part(v, ' ', 2) FROM v_text ORDER BY k")
add("string", "SELECT k, v || '|', concat(v, k), replace(v, 'l', 'L'), initcap(v) FROM v_text ORDER BY k")
add("string", "SELECT k, v::char(4), v::varchar(4), md5(v) FROM v_text ORDER BY k")
add("string", "SELECT string_agg(v, '/' ORDER BY k), max(v), min(v), count(DISTINCT v) FROM v_text")

# ------------------------------------------------------------------------------------------------ LIKE / regex
PAT = ["%", "_", "a%", "%c", "%b%", "a_c", "A%", "%é%", "_é%", "%語%", "\\%", "a\\_c", "%😀%", "h%d", "", "%%%", "___",
       "ABC", "%Ö%", "%ö%"]
for s in ["abc", "a_c", "a%c", "héllo wörld", "HÉLLO WÖRLD", "日本語テキスト", "🙂emoji🙂", "", None]:
    for p in PAT:
        add("like", "SELECT %s LIKE %s, %s ILIKE %s, %s NOT LIKE %s"
            % ((lit(s, "text"), lit(p, "text")) * 3))
    add("like", "SELECT %s LIKE 'a#%%c' ESCAPE '#', %s LIKE 'a%%' ESCAPE '', %s LIKE 'a!' ESCAPE '!'"
        % ((lit(s, "text"),) * 3))
    for r in ["^a", "c$", "[[:alpha:]]+", "[[:upper:]]", "é", "É", "^.{3}$", "(.)\\1", "\\w+", "\\d", "[語-龠]", ".*",
              "\\mwörld", "a|b", "[^a-z]", "^$", "(?i)abc", "x*?", "ld\\M", "\\yw", "l\\Yl", "c\\Z", "a{2,}",
              "[[:alpha:]]{1,255}", "(?i)É", "(?n)^h", "(?x) a b c", "[]a]", "[^]a]+"]:
        L, R = lit(s, "text"), lit(r, "text")
        add("regex", "SELECT %s ~ %s, %s ~* %s, %s !~ %s, %s !~* %s" % ((L, R) * 4))
        add("regex", "SELECT regexp_replace(%s, %s, '<\\&>'), regexp_replace(%s, %s, '[\\1]', 'gi')" % (L, R, L, R))
        add("regex", "SELECT regexp_match(%s, %s)" % (L, R))
for x in ["'abc' ~ '('", "'abc' ~ '[z-a]'", "'abc' ~ 'a{3,2}'", "regexp_replace('abc', 'b', 'x', 'z')",
          "regexp_match('foobarbequebaz', '(bar)(beque)')", "regexp_match('abc', 'x')",
          "regexp_match('abc', '(a)(x)?')", "regexp_replace('aaa', 'a', 'b', 'g')", "regexp_replace('AaA', 'a', 'b', 'gi')",
          "regexp_replace('abc', '(b)', '\\\\1\\1')", "'abc' SIMILAR TO 'a%'", "'abc' SIMILAR TO '(a|b)c'",
          "substring('foobar' from 'o(.)b')", "substring('foobar' similar 'f#\"oo#\"%' escape '#')",
          "'a\nb' ~ 'a.b', 'a\nb' ~ '(?s)a.b', 'a\nb' ~ '(?n)a.b'", "'ABC' ~ '(?x) a b c' , 'abc' ~ '(?x) a b c'",
          "regexp_matches('a1b2c3', '[0-9]', 'g')", "regexp_count('abcabc', 'b')", "'x' LIKE 'x' ESCAPE 'ab'",
          "'%' LIKE '\\%', '_' LIKE '\\_', 'a' LIKE '\\a'", "'a' LIKE 'a\\'", "'ab' ILIKE 'A_' ESCAPE '_'",
          "'ab' LIKE 'a%\\'", "'a' LIKE 'a%\\'", "'' LIKE '%\\'", "'b' LIKE 'a\\'", "'ab' LIKE '%b\\'",
          "'abc' LIKE '_%\\'", "'ab' NOT LIKE 'ab\\'", "'abc' ILIKE 'AB\\'"]:
    add("regex", "SELECT " + x)
add("regex", "SELECT k, v ~ '[[:upper:]]', v ILIKE '%é%', regexp_replace(v, '[aeiouéö]', '*', 'g') FROM v_text ORDER BY k")
add("like", "SELECT k FROM v_text WHERE v LIKE '%o%' ORDER BY k")
add("like", "SELECT k FROM v_text WHERE v ILIKE '%É%' ORDER BY k")

# ------------------------------------------------------------------------------------------------ bytea
BYTEA = ["\\x", "\\x00ff10", "\\xDEADBEEF", "abc", "a\\000b", "\\\\", "é", "\\x0", "\\xzz", "\\x 00", "\\x00 ff",
         "\\001\\002", "\\400", "\\", "a\\b", None]
table("v_bytea", "bytea", ["\\x", "\\x00ff10", "\\xdeadbeef", "abc", "é", "\\x00", None])
for b in BYTEA:
    B = lit(b, "bytea")
    add("bytea", "SELECT %s" % B)
    add("bytea", "SELECT length(%s), octet_length(%s), md5(%s)" % (B, B, B))
    add("bytea", "SELECT encode(%s, 'hex'), encode(%s, 'base64'), encode(%s, 'escape')" % (B, B, B))
    add("bytea", "SELECT %s || '\\x01'::bytea, substring(%s from 2 for 2), get_byte(%s, 0)" % (B, B, B))
    add("bytea", "SELECT %s::text, %s = '\\x00'::bytea, %s < '\\x01'::bytea" % (B, B, B))
for x in ["decode('00ff', 'hex')", "decode('0', 'hex')", "decode('zz', 'hex')", "decode('YWJj', 'base64')",
          "decode('YWJ', 'base64')", "decode('a\\000b', 'escape')", "decode('ab', 'foo')", "set_byte('\\x0000'::bytea, 1, 255)",
          "set_byte('\\x00'::bytea, 1, 1)", "get_byte('\\x00'::bytea, -1)", "set_bit('\\x00'::bytea, 3, 1)",
          "get_bit('\\xff'::bytea, 8)", "encode('\\x00'::bytea, 'nope')", "'\\xab'::bytea::text::bytea",
          "convert_to('é', 'UTF8'), convert_from('\\xc3a9', 'UTF8')", "convert_from('\\xff', 'UTF8')",
          "sha256('abc'::bytea)", "position('\\x02'::bytea in '\\x010203'::bytea)", "btrim('\\x0001020300'::bytea, '\\x00'::bytea)",
          "set_config('bytea_output', 'escape', false) IS NULL", "'\\x00ff41'::bytea, 'é'::bytea",
          "k, v FROM v_bytea ORDER BY k", "set_config('bytea_output', 'hex', false) IS NULL",
          "encode(repeat('é', 100)::bytea, 'base64')"]:
    add("bytea", "SELECT " + x)
add("bytea", "SELECT k, v, length(v), v || v, encode(v, 'escape') FROM v_bytea ORDER BY k")
add("bytea", "SELECT v FROM v_bytea ORDER BY v, k")

# ------------------------------------------------------------------------------------------------ uuid
UUID = ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
        "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ", "", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", None]
table("v_uuid", "uuid", ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                          "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "80000000-0000-0000-0000-000000000000", None])
for u in UUID:
    add("uuid", "SELECT %s" % lit(u, "uuid"))
    add("uuid", "SELECT %s < 'b0000000-0000-0000-0000-000000000000', %s::text" % (lit(u, "uuid"), lit(u, "uuid")))
for x in ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC999C0B4EF8BB6D6BB9BD380A11'",
          "1::uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::bytea", "length(gen_random_uuid()::text)",
          "pg_typeof(gen_random_uuid())", "k, v FROM v_uuid ORDER BY v", "md5('a')::uuid"]:
    add("uuid", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ boolean
for s in ["t", "true", "TRUE", " true ", "tru", "tr", "yes", "y", "ye", "on", "o", "of", "off", "1", "0", "f", "false",
          "no", "n", "", " ", "2", "-1", "truex", "t r", "On", "oFF", "Yes", None]:
    add("bool", "SELECT %s" % lit(s, "boolean"))
for a in ["true", "false", "NULL"]:
    for b in ["true", "false", "NULL"]:
        add("bool", "SELECT %s AND %s, %s OR %s, NOT %s, %s IS DISTINCT FROM %s, %s = %s, %s < %s"
            % (a, b, a, b, a, a, b, a, b, a, b))
    add("bool", "SELECT %s IS TRUE, %s IS NOT FALSE, %s IS UNKNOWN" % (a, a, a))
for x in ["true::int", "false::integer", "1::boolean", "0::boolean", "2::boolean", "-1::bool", "5::bigint::boolean",
          "true::text", "true::varchar", "'t'::text::boolean", "true::numeric", "1.0::boolean", "bool_and(x), bool_or(x), every(x) FROM (VALUES (true), (NULL), (false)) t(x)",
          "true::smallint", "true > false, true::char(3)"]:
    add("bool", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ json / jsonb
DEEP_A = "[" * 60 + "1" + "]" * 60
DEEP_O = '{"a":' * 40 + "1" + "}" * 40
JSON = ["null", "true", "false", "0", "-0", "1.0", "0.10", "1e400", "-1e-400", "12345678901234567890123456789012345",
        '"x"', '"é\\u00e9\\ud83d\\ude00"', '"\\u0000"', '"a\\tb\\n"', "[]", "{}", " [1, 2 , 3] ",
        '{"a":1,"a":2}', '{"b":1,"a":{"c":[1,"x",null,true]},"aa":[]}', '[1,[2,[3,[4]]],{"k":"v"}]',
        '{"日本":"語","":0,"😀":[null]}', DEEP_A, DEEP_O, "[1,", "{a:1}", "'x'", "", "NaN", "01", "1.", '"\\x"',
        '{"a":1}garbage', '"\\ud83d"', '{"a":{"b":{"c":{"d":{"e":"deep"}}}}}', "  \n null \t ", None]
table("v_jsonb", "jsonb", [j for j in JSON if j not in ("[1,", "{a:1}", "'x'", "", "NaN", "01", "1.", '"\\x"',
                                                         '{"a":1}garbage', '"\\ud83d"', '"\\u0000"')])
table("v_json", "json", ['{"b":1,"a":2,"a":3}', '[1, 2.50, "x"]', ' {"k" : [ ] } ', "null", None])
for j in JSON:
    for t in ["json", "jsonb"]:
        J = lit(j, t)
        add("json", "SELECT %s" % J)
        add("json", "SELECT %s(%s)" % ("json_typeof" if t == "json" else "jsonb_typeof", J))
        add("json", "SELECT %s -> 'a', %s ->> 'a', %s -> 0, %s ->> -1" % (J, J, J, J))
        add("json", "SELECT %s #> '{a,b}', %s #>> '{0}', %s #> '{}'" % (J, J, J))
        add("json", "SELECT %s(%s)" % ("json_array_length" if t == "json" else "jsonb_array_length", J))
    J = lit(j, "jsonb")
    add("jsonb", "SELECT %s @> '{\"a\":1}', %s <@ '[1,2,3]', %s ? 'a', %s ?| '{a,b}', %s ?& '{a,b}'" % ((J,) * 5))
    add("jsonb", "SELECT %s || '[9]', %s - 'a', %s - 0, %s #- '{a}'" % ((J,) * 4))
    add("jsonb", "SELECT %s = '{}', %s < '[]', %s::text" % ((J,) * 3))
    add("jsonb", "SELECT * FROM jsonb_each(%s)" % J)
    add("jsonb", "SELECT * FROM jsonb_array_elements(%s)" % J)
    add("jsonb", "SELECT jsonb_strip_nulls(%s), jsonb_pretty(%s)" % (J, J))
    add("jsonb", "SELECT %s::json, to_jsonb(%s::text)" % (J, J))
    for t in ["numeric", "integer", "smallint", "bigint", "real", "double precision", "boolean", "numeric(5,2)"]:
        add("jsonb", "SELECT CAST(%s AS %s)" % (J, t))
for x in ["jsonb_build_object('a', 1, 'b', NULL, 'a', 2)", "jsonb_build_object('a')", "jsonb_build_object(NULL, 1)",
          "jsonb_build_array(1, 'x', NULL, true, 1.50, '{\"a\":1}'::jsonb, ARRAY[1,2])", "jsonb_build_array()",
          "json_build_object('a', 1, 'a', 2)", "to_jsonb(1.0e10::numeric), to_jsonb('NaN'::float8), to_jsonb('Infinity'::numeric)",
          "to_jsonb('2024-02-29 12:00'::timestamp), to_jsonb('é\"\\'::text)", "to_json(ARRAY[1,NULL]), to_jsonb(ARRAY['a'])",
          "'{\"a\":1}'::jsonb @> '{}', '[1,[2]]'::jsonb @> '[[2]]', '[1,2]'::jsonb @> '1', '1'::jsonb @> '[1]'",
          "'{\"a\":[1,2,3]}'::jsonb -> 'a' -> 5, '[1,2]'::jsonb -> -3", "'[0,1,2]'::jsonb #>> '{-1}'",
          "'{\"a\":1}'::jsonb ->> 'a' || 'x', ('{\"a\":1.50}'::jsonb ->> 'a')::numeric * 2",
          "('{\"a\":1e400}'::jsonb -> 'a')::numeric", "('\"x\"'::jsonb)::text::int", "('1.5'::jsonb)::int",
          "('1'::jsonb)::int + 1, ('true'::jsonb)::bool, ('null'::jsonb)::int", "('\"x\"'::jsonb)::numeric",
          "jsonb_agg(x ORDER BY x) FROM (VALUES (1), (NULL), (3)) t(x)", "jsonb_object_agg(k, v ORDER BY k) FROM (VALUES ('b', 1), ('a', 2)) t(k, v)",
          "jsonb_object_agg(k, v) FROM (VALUES (NULL::text, 1)) t(k, v)", "json_agg(x) FROM (VALUES ('a'), ('é')) t(x)",
          "key, value FROM jsonb_each('{\"b\":2,\"a\":1,\"aa\":[]}') ORDER BY key", "* FROM jsonb_each_text('{\"a\":\"x\",\"b\":null}')",
          "* FROM jsonb_array_elements_text('[\"a\",1,null,{}]')", "* FROM json_each('{\"b\":2,\"a\":1,\"a\":3}')",
          "jsonb_object_keys('{\"b\":1,\"a\":2}')", "jsonb_set('{\"a\":1}', '{b}', '2')", "jsonb_set('[1,2]', '{5}', '9')",
          "jsonb_insert('[1,2]', '{0}', '0')", "jsonb_path_query_array('{\"a\":[1,2,3]}', '$.a[*] ? (@ > 1)')",
          "'[1,2]'::jsonb || '3', '{\"a\":1}'::jsonb || '{\"a\":2,\"b\":3}', '1'::jsonb || '2'",
          "'{\"a\":1}'::jsonb - '{a,b}'::text[]", "'\"\\u00e9\"'::json, '\"\\u00e9\"'::jsonb", "'\"\\u00e9\"'::json ->> 0",
          "'{\"a\":\"\\u0041\"}'::json ->> 'a', '{\"a\":\"\\u0000\"}'::json ->> 'a'", "'[1e2, 1E-2, -0.0, 100]'::jsonb",
          "'{\"z\":1, \"a\":2, \"bb\":3, \"b\":4}'::jsonb", "jsonb_typeof('1e400'), '1e400'::jsonb::text",
          "'[1,2,3]'::jsonb ? '1', '[\"1\"]'::jsonb ? '1', '\"a\"'::jsonb ? 'a'", "'{\"a\":null}'::jsonb ->> 'a' IS NULL",
          "'[1,2]'::json -> 1, '[1,2]'::json ->> 1, '{\"a\" : [1, 2] }'::json -> 'a'",
          "k, v, jsonb_typeof(v), v -> 'a' FROM v_jsonb ORDER BY k", "v FROM v_jsonb ORDER BY v, k",
          "k, v, v::text, json_typeof(v), v -> 'a' FROM v_json ORDER BY k", "count(DISTINCT v) FROM v_jsonb",
          "jsonb_array_length(v) FROM v_jsonb WHERE k = 1"]:
    add("jsonb", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ arrays
ARR = [("{1,2,3}", "int[]"), ("{}", "int[]"), ("{NULL,1}", "int[]"), ("{-2147483648,2147483647}", "int[]"),
       ("{1,2147483648}", "int[]"), ("{a,\"b c\",\"\",NULL,\"NULL\",é,\"x\\\"y\"}", "text[]"), ("{{1,2},{3,4}}", "int[]"),
       ("[0:1]={5,6}", "int[]"), ("{1.5,NaN,Infinity}", "numeric[]"), ("{NaN,-0,1e-7}", "float8[]"), ("{t,f,NULL}", "bool[]"),
       ("{1,2", "int[]"), ("{\"{}\",\"[1]\"}", "jsonb[]"), (" { 1 , 2 } ", "int[]"), ("{\\x00,\"\\\\xff\"}", "bytea[]"),
       ("{2024-02-29,infinity}", "date[]"), ("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "uuid[]"), ("{1,{2}}", "int[]")]
for v, t in ARR:
    A = lit(v, t)
    add("array", "SELECT %s" % A)
    add("array", "SELECT array_length(%s, 1), cardinality(%s), array_ndims(%s), array_dims(%s)" % ((A,) * 4))
    add("array", "SELECT %s[1], %s[0], %s[2:3], %s[-1]" % ((A,) * 4))
    add("array", "SELECT * FROM unnest(%s)" % A)
    add("array", "SELECT array_to_string(%s, ',', '?'), %s::text" % (A, A))
    add("array", "SELECT %s = %s, %s < '{}'" % (A, A, A))
for x in ["ARRAY[1, 2, NULL]", "ARRAY[1, 2.5]", "ARRAY['a', 'b'] || 'c'", "ARRAY[1] || ARRAY[2, 3]", "1 || ARRAY[2]",
          "array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], NULL)", "ARRAY[]::int[]", "ARRAY[]",
          "array_position(ARRAY['a', 'b', NULL], NULL), array_position(ARRAY[1, 2], 2)", "array_positions(ARRAY[1, 2, 1], 1)",
          "array_remove(ARRAY[1, 2, 1], 1), array_replace(ARRAY[1, 2], 2, 9)", "2 = ANY(ARRAY[1, 2]), 3 = ALL(ARRAY[3, NULL])",
          "NULL = ANY(ARRAY[1]), 1 = ANY('{}'::int[]), 1 <> ALL(ARRAY[2, 3])", "ARRAY[1, 2] @> ARRAY[2], ARRAY[1] <@ ARRAY[1, NULL], ARRAY[1, 2] && ARRAY[2]",
          "ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2] < ARRAY[1, 2, 0], ARRAY[NULL::int] = ARRAY[NULL::int]",
          "array_agg(x ORDER BY x) FROM (VALUES (3), (NULL), (1)) t(x)", "array_agg(x) FROM (VALUES ('é'), ('a b')) t(x)",
          "ARRAY[1::smallint, 2::bigint]", "pg_typeof(ARRAY[1, 2.5]), pg_typeof(ARRAY[1::real, 2])", "ARRAY[1, 'a']",
          "ARRAY['2024-02-29'::date] || '2024-03-01'::date", "array_fill(7, ARRAY[3])", "string_to_array('1,2,x', ',')::int[]",
          "(ARRAY[1, 2, 3])[2:]", "(ARRAY[1, 2, 3])[:2]", "array_upper(ARRAY[1, 2], 1), array_lower(ARRAY[1], 1), array_upper(ARRAY[1], 2)",
          "ARRAY[ARRAY[1, 2], ARRAY[3, 4]]", "'{1,2}'::int[]::text[], '{1.5}'::numeric[]::int[]", "'{1,x}'::text[]::int[]",
          "trim_array(ARRAY[1, 2, 3], 1)", "array_to_string(ARRAY[1.50, NULL], ';')", "ARRAY[true, NULL]::text"]:
    add("array", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ comparisons
VALS = ["1::smallint", "1::int", "1::bigint", "1.0", "1::real", "1::float8", "'1'", "NULL", "'NaN'::float8",
        "'NaN'::numeric", "0.1::real", "0.1::float8", "0.1", "'Infinity'::numeric", "'-0'::float8", "0::numeric",
        "32767::smallint", "2147483648", "9223372036854775807", "9.223372036854775807e18::float8"]
for a in VALS:
    for b in VALS:
        add("compare", "SELECT %s = %s, %s < %s, %s IS DISTINCT FROM %s, pg_typeof(%s + %s)"
            % (a, b, a, b, a, b, a, b))
TXT = ["'a'::text", "'a '::char(3)", "'a'::varchar(5)", "'A'::text", "NULL::text", "'a'::name", "''::text"]
for a in TXT:
    for b in TXT:
        add("compare", "SELECT %s = %s, %s < %s, %s IS NOT DISTINCT FROM %s, pg_typeof(coalesce(%s, %s))"
            % (a, b, a, b, a, b, a, b))
for x in ["NULL IS DISTINCT FROM NULL, NULL::int IS DISTINCT FROM 1, 1 IS NOT DISTINCT FROM 1.0",
          "'2024-02-29'::date IS DISTINCT FROM '2024-02-29 00:00'::timestamp", "'{\"a\":1}'::jsonb IS DISTINCT FROM '{ \"a\" : 1 }'",
          "ARRAY[1, NULL] IS DISTINCT FROM ARRAY[1, NULL]", "'\\x00'::bytea IS DISTINCT FROM '\\x0000'",
          "ROW(1, NULL) IS DISTINCT FROM ROW(1, NULL), ROW(1, 2) < ROW(1, 3)",
          "2 BETWEEN 3 AND 1, 2 BETWEEN SYMMETRIC 3 AND 1, NULL BETWEEN 1 AND 2, 'b' BETWEEN 'a' AND 'c'",
          "5 NOT BETWEEN SYMMETRIC 10 AND 1, 0 NOT BETWEEN SYMMETRIC 10 AND 1, 1 BETWEEN SYMMETRIC NULL AND 2",
          "5 BETWEEN SYMMETRIC 5 AND 1, 2.5 BETWEEN SYMMETRIC 3 AND '1', 'b' NOT BETWEEN SYMMETRIC 'c' AND 'a'",
          "k, v BETWEEN SYMMETRIC 2 AND -2, v NOT BETWEEN SYMMETRIC 100 AND 0 FROM v_i4 ORDER BY k",
          "greatest(1, NULL, 3), least(NULL::int, NULL), greatest('a', 'é', 'Z'), greatest(1, 2.5, 3::real)",
          "greatest('NaN'::float8, 'Infinity'), least(-0.0::float8, 0)", "coalesce(NULL, 1, 2.5), pg_typeof(coalesce(NULL, 1, 2.5))",
          "nullif(1, 1.0), nullif('a', 'b'), nullif(NULL, 1)", "CASE WHEN false THEN 1 ELSE 2.5 END, CASE 1 WHEN 1.0 THEN 'y' END",
          "CASE WHEN true THEN 1 ELSE 'x' END", "CASE WHEN true THEN 1 ELSE 1/0 END", "coalesce(1, 'x')",
          "1 = '1', '1' = 1.0, 1 = 'x'", "'abc' = 'abc'::char(5), 'abc'::char(5) = 'abc  '::varchar", "1::int2 = 1::int8 AND 1::int8 = 1::numeric",
          "'NaN'::float8 = 'NaN'::float8, 'NaN'::float8 > 'Infinity', 'NaN'::numeric = 'NaN'", "'-0'::float8 = 0, '-0'::float8::text",
          "1 IN (1.0, 2), 1 IN (NULL, 2), 1 NOT IN (NULL, 2)", "'a' IN ('a'::char(3), 'b')",
          "x FROM (VALUES (1), (NULL), (-1)) t(x) ORDER BY x", "x FROM (VALUES (1), (NULL), (-1)) t(x) ORDER BY x DESC NULLS LAST",
          "x FROM (VALUES ('NaN'::float8), ('Infinity'), ('-Infinity'), ('-0'), (0), (NULL)) t(x) ORDER BY x",
          "x FROM (VALUES ('b'), ('B'), ('é'), ('a'), (''), ('a ')) t(x) ORDER BY x"]:
    add("compare", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ casts / coercion
for x in ["1 + 1.5", "1 || 'a'", "'1' + 1", "'1.5' + 1", "'x' + 1", "1 + '2'::text", "1::int2 + 1::int8", "1::real + 1::numeric",
          "'a' || 1 || 2.5 || NULL::text", "3 / 2, 3 / 2.0, 3.0 / 2, 3::float8 / 2", "7 / 2 * 2.0", "pg_typeof(1 / 2.0)",
          "pg_typeof('a' || 1), pg_typeof(1 || 1)", "true::date", "1::uuid", "'2024-01-01'::date::int", "1::date",
          "'abc'::int", "'12'::int + '3'", "NULL::int + NULL::text", "'1'::text::int, ' 1 '::varchar::bigint",
          "1.5::text || 'x', 1.50::numeric::text, 1e3::numeric, 1e3::float8::text", "12.345::numeric(4,2)",
          "12.345::numeric(3,2)", "'infinity'::numeric(5,2)", "'NaN'::numeric(5,2)", "0.5::int, 1.5::int, -0.5::int, -1.5::int",
          "0.5::float8::int, 1.5::float8::int, 2.5::real::int", "'1e5'::int", "'1e5'::numeric::int", "'Infinity'::int",
          "pg_typeof(CASE WHEN true THEN 1::int2 ELSE 2::int8 END)", "pg_typeof(coalesce(1::real, 2::numeric))",
          "x, pg_typeof(x) FROM (SELECT 1 UNION SELECT 2.5) t(x) ORDER BY x", "x FROM (SELECT 'a' UNION ALL SELECT 1) t(x)",
          "pg_typeof(x) FROM (VALUES (1), (2::bigint)) t(x) LIMIT 1", "interval '1 day' + 1", "'2024-02-29'::date + 1",
          "'2024-02-29'::date + interval '1 year', '2024-01-31'::date + interval '1 month'", "now() + 1",
          "'1 day'::interval * 1.5, '1 month'::interval / 3", "1::bool", "'yes'::bool::int",
          "length(123), upper(1.5::text), substr(12345, 2)", "lpad(5, 3, '0')", "abs('-1'), abs('-1.5')", "sqrt('4')",
          "round(2.567, 1.5)", "round(2.567::float8, 1)", "1::int4 % 0", "1 / 0, 1", "1.0 / 0", "1::float8 / 0", "0.0 / 0",
          "'1'::float8 / '0'", "mod(5, 0)", "5 % 0.0", "(-2147483648) / -1", "(-2147483648)::int % -1",
          "(-9223372036854775808)::int8 / -1", "(-32768)::int2 / -1::int2", "2147483647 + 1", "9223372036854775807 + 1",
          "-(-9223372036854775808)::int8", "abs(-2147483648)", "abs((-32768)::smallint)", "10000::smallint * 4::smallint",
          "@ (-9223372036854775808)::int8"]:
    add("cast", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ date and time
ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia", "UTC"]
TS = ["2024-03-10 01:59:59", "2024-03-10 02:30:00", "2024-03-10 03:00:00", "2024-11-03 01:30:00", "2024-03-31 02:30:00",
      "2024-10-27 02:30:00", "2024-02-29 23:59:59.999999", "1969-12-31 23:59:59", "1900-01-01 00:00:00", "2038-01-19 03:14:08",
      "2100-02-28 12:00", "0044-03-15 BC", "infinity"]
for z in ZONES:
    for ts in TS:
        add("datetime", "SELECT %s AT TIME ZONE '%s'" % (lit(ts, "timestamp"), z))
        add("datetime", "SELECT %s AT TIME ZONE '%s'" % (lit(ts + "+00", "timestamptz"), z))
        add("datetime", "SELECT date_trunc('day', %s, '%s')" % (lit(ts + "+00", "timestamptz"), z))
    add("datetime", "SELECT set_config('TimeZone', '%s', false) IS NULL" % z)
    add("datetime", "SELECT '2024-03-10 02:30'::timestamptz, '2024-11-03 01:30'::timestamptz, '2024-10-27 02:30'::timestamptz")
    add("datetime", "SELECT '2024-03-09 12:00'::timestamptz + interval '1 day', '2024-03-09 12:00'::timestamptz + interval '24 hours'")
    add("datetime", "SELECT extract(epoch from '2024-03-10 12:00'::timestamptz), extract(hour from '2024-03-10 12:00'::timestamptz), extract(timezone from now())::int / 0 IS NULL")
    add("datetime", "SELECT date_trunc('day', '2024-11-03 12:00'::timestamptz), '2024-11-03'::date::timestamptz")
    add("datetime", "SELECT '1969-07-20 20:17:40'::timestamptz, '2099-12-31 23:59:59.999999'::timestamptz::date")
add("datetime", "SELECT set_config('TimeZone', 'UTC', false) IS NULL")
DATES = ["2024-02-29", "2023-02-28", "2024-01-31", "2024-03-31", "1900-02-28", "2000-02-29", "1969-12-31", "1582-10-04",
         "2038-01-19", "2100-12-31", "0001-01-01 BC", "5874897-12-31", "infinity", "-infinity", None]
for d in DATES:
    D = lit(d, "date")
    add("datetime", "SELECT %s" % D)
    for iv in ["1 month", "1 year", "-1 month", "1 day", "1 mon 1 day", "-1 year -1 day"]:
        add("datetime", "SELECT %s + interval '%s'" % (D, iv))
    add("datetime", "SELECT %s + 1, %s - 1, %s - '2000-01-01'::date" % (D, D, D))
    add("datetime", "SELECT extract(dow from %s), extract(isodow from %s), extract(week from %s), extract(doy from %s), extract(quarter from %s)"
        % ((D,) * 5))
    add("datetime", "SELECT extract(epoch from %s), extract(julian from %s), extract(century from %s)" % ((D,) * 3))
    add("datetime", "SELECT to_char(%s, 'YYYY-MM-DD Dy Mon IYYY-IW DDD Q'), date_trunc('month', %s)" % (D, D))
    add("datetime", "SELECT age(%s, '2000-02-29'::date), justify_days(%s - '1999-01-01'::timestamp)" % (D, D))
for x in ["make_date(2024, 2, 30)", "make_date(-44, 3, 15)", "make_date(0, 1, 1)", "make_timestamp(2024, 2, 29, 23, 59, 59.9999999)",
          "make_interval(years => 1, days => 40, secs => 1.5)", "'2024-02-29'::date - interval '1 year'",
          "'2024-01-31 10:00'::timestamp + interval '1 month' - interval '1 month'", "'epoch'::timestamp + 2147483648 * interval '1 second'",
          "to_timestamp(0), to_timestamp(-1.5), to_timestamp('NaN'::float8)", "to_timestamp(1e20)",
          "to_date('2024-02-30', 'YYYY-MM-DD')", "to_date('29 Feb 2024', 'DD Mon YYYY')", "to_timestamp('2024-03-10 02:30', 'YYYY-MM-DD HH24:MI')",
          "'2024-03-10 02:30'::timestamp - '2024-03-09 02:30'::timestamp", "'2024-03-10'::timestamptz - '2024-03-09'::timestamptz",
          "date_bin('15 minutes', '2024-02-29 23:59:59'::timestamp, '2000-01-01')", "interval '1 month' = interval '30 days'",
          "interval '1 day' = interval '24 hours', interval '-1 month 30 days' < interval '0'", "justify_interval(interval '1 mon -1 day')",
          "'P1Y2M3DT4H5M6S'::interval, '1.5 years'::interval, '-1.5 days'::interval", "interval '1' year, interval '90' minute to second",
          "'2024-02-29'::date < '2024-02-29 00:00:01'::timestamp", "'2024-02-29'::date = '2024-02-29'::timestamptz",
          "'12:00'::time + interval '13 hours', '24:00'::time", "'2024-13-01'::date", "'2023-02-29'::date", "'2024-02-29 24:00:01'::timestamp",
          "timestamp '294277-01-01'", "date '5874898-01-01'", "extract(epoch from interval '1 month'), extract(epoch from '-infinity'::date)",
          "date_part('year', 'infinity'::timestamp), date_trunc('year', '-infinity'::timestamptz)",
          "generate_series('2024-02-27'::timestamp, '2024-03-02', '1 day')", "generate_series(1, 3), generate_series(1.5, 3)",
          "* FROM generate_series('2024-03-09 00:00'::timestamptz, '2024-03-11 00:00', '12 hours')",
          "overlaps_ok FROM (SELECT 1 AS overlaps_ok) t", "pg_typeof(now()), pg_typeof(current_date), pg_typeof(localtimestamp)",
          "'today'::date = current_date, now() = current_timestamp, now() <= clock_timestamp()"]:
    add("datetime", "SELECT " + x)

# ------------------------------------------------------------------------------------------------ errors
for x in ["nosuchfunc(1)", "abs('x')", "length(1, 2)", "1 + 'a'::text", "'a'::text - 1", "1 @@ 2", "upper(1)", "substr('a')",
          "date_trunc('fortnight', now())", "extract(fortnight from now())", "round(1.5, 'x')", "x FROM nosuchtable",
          "nosuchcol", "'a' ~ 1", "jsonb_typeof('{}'::json)", "'{}'::json = '{}'::json", "'{}'::json -> 1 -> 2 = 1",
          "ARRAY[1] = ARRAY['a']", "'1'::bytea + 1", "uuid_nil()", "sum('x')", "avg('1'::text)", "max(ARRAY[1])",
          "CAST(1 AS nosuchtype)", "1::numeric(0)", "1::numeric(1001)", "'x'::varchar(0)", "1::char(0)",
          "greatest(1, 'x')", "coalesce(1, true)", "ARRAY[1, true]", "1 = true", "true + 1", "'a' LIKE 1"]:
    add("error", "SELECT " + x)


def main():
    conn = pgraw.Conn(int(os.environ.get("PGPORT", "5432")), user=os.environ.get("PGUSER", "postgres"),
                      db=os.environ.get("PGDATABASE", "postgres"), host=os.environ.get("PGHOST", "127.0.0.1"))
    for s in setup:
        status, result = sqlcase.run(conn, s)
        assert status == "ok", (s, status, result)
    answers = sqlcase.run_many(conn, [sql for _, sql in cases])
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Generated by tests/differential/gen_sql_cases.py from PostgreSQL 15's answers; do not edit.\n")
        for s in setup:
            f.write("setup\t%s\n" % json.dumps(s, ensure_ascii=False))
        for (family, sql), (status, result) in zip(cases, answers):
            assert "\t" not in result and "\n" not in result
            f.write("%s\t%s\t%s\t%s\n" % (family, json.dumps(sql, ensure_ascii=False), status, result))
    fams = {}
    for family, _ in cases:
        fams[family] = fams.get(family, 0) + 1
    print("%d cases written to %s: %s" % (len(cases), OUT, ", ".join("%s %d" % kv for kv in sorted(fams.items()))))


if __name__ == "__main__":
    main()
