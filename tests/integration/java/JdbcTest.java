// pgjdbc (Debian libpostgresql-jdbc-java) against OmenDB, or against PostgreSQL 15 with the same
// expectations. Run by tests/integration/test_jdbc.py:
//
//   java -cp /usr/share/java/postgresql.jar JdbcTest.java HOST PORT USER DBNAME omendb|postgresql [TEST...]
//
// Prints "ok NAME" or "FAIL NAME" with the reason per test and exits with the number of failures.

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import org.postgresql.PGStatement;
import org.postgresql.util.PGInterval;

public class JdbcTest {
  static String host, port, user, dbname;
  static boolean omendb;  // the server is OmenDB (else PostgreSQL 15, the reference)
  static int failed = 0;

  // What does not work on OmenDB yet, and why (docs/clients.md), runs through pending(): there these tests
  // must fail with 0A000 naming the missing feature (never a wrong answer); on PostgreSQL they must pass. A
  // pending test that starts to pass on OmenDB fails, so that the list stays true. None is pending now.

  interface Body {
    void run() throws Exception;
  }

  static Connection connect(String... props) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", "x");
    p.setProperty("connectTimeout", "10");
    p.setProperty("socketTimeout", "120");
    if (System.getenv("JDBC_TRACE") != null) { p.setProperty("loggerLevel", "TRACE"); p.setProperty("loggerFile", System.getenv("JDBC_TRACE")); }
    for (int i = 0; i + 1 < props.length; i += 2) p.setProperty(props[i], props[i + 1]);
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + dbname, p);
  }

  static void check(boolean cond, Object... what) {
    if (!cond) throw new AssertionError(Arrays.deepToString(what));
  }

  static void eq(Object got, Object want, String what) {
    boolean same = (got instanceof byte[] && want instanceof byte[])
        ? Arrays.equals((byte[]) got, (byte[]) want)
        : (got instanceof Object[] && want instanceof Object[])
            ? Arrays.deepEquals((Object[]) got, (Object[]) want)
            : Objects.equals(got, want);
    if (!same) {
      throw new AssertionError(what + ": got " + show(got) + ", want " + show(want));
    }
  }

  static String show(Object o) {
    if (o instanceof byte[]) return Arrays.toString((byte[]) o);
    if (o instanceof Object[]) return Arrays.deepToString((Object[]) o);
    return o == null ? "null" : o + " (" + o.getClass().getSimpleName() + ")";
  }

  static void exec(Connection c, String... sqls) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : sqls) s.execute(sql);
    }
  }

  static long scalarLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      check(rs.next(), "no row", sql);
      return rs.getLong(1);
    }
  }

  static void expectState(String state, Body body) throws Exception {
    try {
      body.run();
    } catch (SQLException e) {
      if (!state.equals(e.getSQLState())) {
        throw new AssertionError("expected SQLSTATE " + state + ", got " + e.getSQLState() + ": " + e.getMessage());
      }
      return;
    }
    throw new AssertionError("expected SQLSTATE " + state + ", but it succeeded");
  }

  // ---- every type through PreparedStatement's typed setters and ResultSet's typed getters -------------

  static final String TYPES_DDL = "CREATE TABLE jt_types (id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, "
      + "num numeric(12,3), f4 real, f8 double precision, t text, vc varchar(20), b boolean, d date, tm time, "
      + "ts timestamp, tstz timestamptz, by bytea, u uuid, ai int[], at text[], ch char(3))";
  static final BigDecimal NUM = new BigDecimal("-12345.678");
  static final LocalDate DATE = LocalDate.of(2024, 2, 29);
  static final LocalTime TIME = LocalTime.of(13, 45, 30, 123456000);
  static final LocalDateTime TS = LocalDateTime.of(1999, 12, 31, 23, 59, 58, 654321000);
  static final OffsetDateTime TSTZ = OffsetDateTime.of(2024, 3, 10, 1, 2, 3, 500000000, ZoneOffset.ofHours(2));
  static final UUID UID = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  static final byte[] BYTES = {0, 1, (byte) 0xff, '\\', '\'', 'x'};
  static final String TEXT = "héllo 'wörld' \\ €😀";

  static void typesRoundTrip(String... props) throws Exception {
    try (Connection c = connect(props)) {
      exec(c, "DROP TABLE IF EXISTS jt_types", TYPES_DDL);
      try (PreparedStatement ps = c.prepareStatement(
               "INSERT INTO jt_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int round = 0; round < 6; round++) {  // past prepareThreshold: server-prepared, maybe binary
          int id = round + 1;
          ps.setInt(1, id);
          ps.setShort(2, (short) -32768);
          ps.setInt(3, 2147483647 - round);
          ps.setLong(4, -9007199254740993L);
          ps.setBigDecimal(5, NUM);
          ps.setFloat(6, 0.15625f);
          ps.setDouble(7, 1e300);
          ps.setString(8, TEXT);
          ps.setString(9, "vc" + round);
          ps.setBoolean(10, round % 2 == 0);
          ps.setObject(11, DATE);
          ps.setObject(12, TIME);
          ps.setObject(13, TS);
          ps.setObject(14, TSTZ);
          ps.setBytes(15, BYTES);
          ps.setObject(16, UID);
          ps.setArray(17, c.createArrayOf("int4", new Integer[] {1, null, -3}));
          ps.setArray(18, c.createArrayOf("text", new String[] {"a b", "q\"x", null, "", "NULL"}));
          ps.setString(19, "ab");
          eq(ps.executeUpdate(), 1, "insert count");
        }
        // A row of NULLs, each through setNull with its java.sql.Types.
        int[] types = {Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.REAL, Types.DOUBLE,
                       Types.VARCHAR, Types.VARCHAR, Types.BOOLEAN, Types.DATE, Types.TIME, Types.TIMESTAMP,
                       Types.TIMESTAMP_WITH_TIMEZONE, Types.BINARY, Types.OTHER, Types.ARRAY,
                       Types.ARRAY, Types.CHAR};
        ps.setInt(1, 100);
        for (int i = 0; i < types.length; i++) ps.setNull(i + 2, types[i]);
        eq(ps.executeUpdate(), 1, "insert nulls");
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jt_types WHERE id = ?")) {
        for (int round = 0; round < 6; round++) {
          ps.setInt(1, round + 1);
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next(), "row", round + 1);
            eq(rs.getShort("i2"), (short) -32768, "int2");
            eq(rs.getInt("i4"), 2147483647 - round, "int4");
            eq(rs.getLong("i8"), -9007199254740993L, "int8");
            eq(rs.getBigDecimal("num"), NUM, "numeric");
            eq(rs.getFloat("f4"), 0.15625f, "float4");
            eq(rs.getDouble("f8"), 1e300, "float8");
            eq(rs.getString("t"), TEXT, "text");
            eq(rs.getString("vc"), "vc" + round, "varchar");
            eq(rs.getBoolean("b"), round % 2 == 0, "bool");
            eq(rs.getObject("d", LocalDate.class), DATE, "date");
            eq(rs.getDate("d").toLocalDate(), DATE, "date as java.sql.Date");
            eq(rs.getObject("tm", LocalTime.class), TIME, "time");
            eq(rs.getObject("ts", LocalDateTime.class), TS, "timestamp");
            eq(rs.getTimestamp("ts").toLocalDateTime(), TS, "timestamp as java.sql.Timestamp");
            OffsetDateTime tz = rs.getObject("tstz", OffsetDateTime.class);
            check(tz != null && tz.isEqual(TSTZ), "timestamptz", tz, TSTZ);
            eq(rs.getTimestamp("tstz").toInstant(), TSTZ.toInstant(), "timestamptz as java.sql.Timestamp");
            eq(rs.getBytes("by"), BYTES, "bytea");
            eq(rs.getObject("u"), UID, "uuid");
            eq(rs.getObject("u", UUID.class), UID, "uuid as UUID");
            eq(rs.getArray("ai").getArray(), new Integer[] {1, null, -3}, "int4[]");
            eq(rs.getArray("at").getArray(), new String[] {"a b", "q\"x", null, "", "NULL"}, "text[]");
            eq(rs.getString("ch"), "ab ", "char(3)");  // padded to its length
            check(!rs.next(), "one row");
          }
        }
        ps.setInt(1, 100);
        try (ResultSet rs = ps.executeQuery()) {
          check(rs.next(), "null row");
          ResultSetMetaData md = rs.getMetaData();
          for (int i = 2; i <= md.getColumnCount(); i++) {
            check(rs.getObject(i) == null, "column", md.getColumnName(i), "not null");
            check(rs.wasNull(), "wasNull", md.getColumnName(i));
          }
          eq(rs.getInt("i4"), 0, "getInt of NULL");
          check(rs.wasNull(), "wasNull after getInt");
        }
      }
      // Column metadata of the result: the type names and java.sql.Types the driver derives from the OIDs.
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM jt_types LIMIT 0")) {
        ResultSetMetaData md = rs.getMetaData();
        List<String> got = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          got.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i) + ":" + md.getColumnType(i) + ":"
                  + md.getPrecision(i) + ":" + md.getScale(i) + ":" + md.getColumnClassName(i));
        }
        List<String> want = new ArrayList<>(List.of(
            "id:int4:4:10:0:java.lang.Integer", "i2:int2:5:5:0:java.lang.Integer",
            "i4:int4:4:10:0:java.lang.Integer", "i8:int8:-5:19:0:java.lang.Long",
            "num:numeric:2:12:3:java.math.BigDecimal", "f4:float4:7:8:8:java.lang.Float",
            "f8:float8:8:17:17:java.lang.Double", "t:text:12:2147483647:0:java.lang.String",
            "vc:varchar:12:20:0:java.lang.String", "b:bool:-7:1:0:java.lang.Boolean",
            "d:date:91:13:0:java.sql.Date", "tm:time:92:15:6:java.sql.Time",
            "ts:timestamp:93:29:6:java.sql.Timestamp", "tstz:timestamptz:93:35:6:java.sql.Timestamp",
            "by:bytea:-2:2147483647:0:[B", "u:uuid:1111:2147483647:0:java.util.UUID",
            "ai:_int4:2003:10:0:java.sql.Array", "at:_text:2003:2147483647:0:java.sql.Array",
            "ch:bpchar:1:3:0:java.lang.String"));
        eq(String.join("\n", got), String.join("\n", want), "result metadata");
      }
    }
  }

  static void interval() throws Exception {
    try (Connection c = connect()) {
      exec(c, "DROP TABLE IF EXISTS jt_interval", "CREATE TABLE jt_interval (id int PRIMARY KEY, iv interval)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_interval VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setObject(2, new PGInterval(1, 2, 3, 4, 5, 6.5));
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT iv FROM jt_interval")) {
        check(rs.next());
        eq(rs.getObject(1), new PGInterval(1, 2, 3, 4, 5, 6.5), "interval");
        eq(rs.getMetaData().getColumnTypeName(1), "interval", "type name");
        eq(rs.getMetaData().getColumnType(1), Types.OTHER, "java.sql.Types");
        eq(rs.getMetaData().getColumnClassName(1), "org.postgresql.util.PGInterval", "class name");
      }
      // Binary transfer from the first execution, and an interval[] (its type looked up too).
      try (Connection b = connect("prepareThreshold", "-1");
           PreparedStatement ps = b.prepareStatement("SELECT iv, ARRAY[iv, iv * 2] FROM jt_interval WHERE id = ?")) {
        ps.setInt(1, 1);
        try (ResultSet rs = ps.executeQuery()) {
          check(rs.next());
          eq(rs.getObject(1), new PGInterval(1, 2, 3, 4, 5, 6.5), "binary interval");
          eq(rs.getMetaData().getColumnTypeName(2), "_interval", "array type name");
          eq(rs.getString(2), "{\"1 year 2 mons 3 days 04:05:06.5\",\"2 years 4 mons 6 days 08:10:13\"}", "interval[]");
        }
      }
      eq(rows(c.getMetaData().getColumns(null, "public", "jt_interval", "iv"), "COLUMN_NAME", "DATA_TYPE",
              "TYPE_NAME"),
         "COLUMN_NAME=iv DATA_TYPE=1111 TYPE_NAME=interval", "getColumns");
    }
  }

  // ---- batches ------------------------------------------------------------------------------------------

  static void batch(String rewrite) throws Exception {
    try (Connection c = connect("reWriteBatchedInserts", rewrite)) {
      exec(c, "DROP TABLE IF EXISTS jt_batch", "CREATE TABLE jt_batch (id bigint PRIMARY KEY, v text, x float8)");
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_batch (id, v, x) VALUES (?, ?, ?)")) {
        for (int chunk = 0; chunk < 3; chunk++) {
          for (int i = 0; i < 333; i++) {
            int id = chunk * 333 + i;
            ps.setLong(1, id);
            ps.setString(2, id % 7 == 0 ? null : "v" + id);
            ps.setDouble(3, id * 0.5);
            ps.addBatch();
          }
          int[] counts = ps.executeBatch();
          long sum = 0;
          for (int n : counts) sum += n == Statement.SUCCESS_NO_INFO ? 0 : n;
          if (rewrite.equals("true")) {
            check(Arrays.stream(counts).allMatch(n -> n == Statement.SUCCESS_NO_INFO || n >= 1), counts);
          } else {
            eq(counts.length, 333, "batch counts");
            eq(sum, 333L, "batch rows");
          }
        }
      }
      c.commit();
      c.setAutoCommit(true);
      eq(scalarLong(c, "SELECT count(*) FROM jt_batch"), 999L, "rows");
      eq(scalarLong(c, "SELECT count(v) FROM jt_batch"), 999L - 143, "non-null v");
      eq(scalarLong(c, "SELECT sum(id) FROM jt_batch"), 998L * 999 / 2, "sum(id)");
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT v, x FROM jt_batch WHERE id = 998")) {
        check(rs.next());
        eq(rs.getString(1), "v998", "v");
        eq(rs.getDouble(2), 499.0, "x");
      }
      // A failing row makes the batch fail with its SQLSTATE, and the transaction rolls back.
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_batch (id, v, x) VALUES (?, ?, ?)")) {
        for (long id : new long[] {5000, 5001, 5, 5002}) {
          ps.setLong(1, id);
          ps.setString(2, "dup");
          ps.setDouble(3, 0);
          ps.addBatch();
        }
        expectState("23505", ps::executeBatch);
      } catch (AssertionError e) {
        throw e;
      }
      c.rollback();
      c.setAutoCommit(true);
      eq(scalarLong(c, "SELECT count(*) FROM jt_batch"), 999L, "rows after failed batch");
    }
  }

  // ---- transactions -------------------------------------------------------------------------------------

  static void transactions() throws Exception {
    try (Connection c = connect()) {
      exec(c, "DROP TABLE IF EXISTS jt_tx", "CREATE TABLE jt_tx (id int PRIMARY KEY, v text)");
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_tx VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, "rolled back");
        ps.executeUpdate();
        c.rollback();
        ps.setInt(1, 2);
        ps.setString(2, "committed");
        ps.executeUpdate();
        c.commit();
        ps.setInt(1, 3);
        ps.setString(2, "kept");
        ps.executeUpdate();
        Savepoint sp = c.setSavepoint("sp1");
        ps.setInt(1, 4);
        ps.setString(2, "undone");
        ps.executeUpdate();
        c.rollback(sp);
        Savepoint sp2 = c.setSavepoint();
        ps.setInt(1, 5);
        ps.setString(2, "released");
        ps.executeUpdate();
        c.releaseSavepoint(sp2);
        c.commit();
        // An error inside a transaction: the block is aborted (25P02) until rollback.
        ps.setInt(1, 2);
        ps.setString(2, "dup");
        expectState("23505", ps::executeUpdate);
        expectState("25P02", () -> scalarLong(c, "SELECT 1"));
        c.rollback();
        eq(scalarLong(c, "SELECT 1"), 1L, "after rollback");
        c.commit();
      }
      c.setAutoCommit(true);
      List<String> rows = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM jt_tx ORDER BY id")) {
        while (rs.next()) rows.add(rs.getInt(1) + "=" + rs.getString(2));
      }
      eq(rows.toString(), "[2=committed, 3=kept, 5=released]", "rows");
      // autosave=always: the driver sets a savepoint before each statement, so an error does not abort.
      try (Connection a = connect("autosave", "always")) {
        a.setAutoCommit(false);
        expectState("23505", () -> exec(a, "INSERT INTO jt_tx VALUES (2, 'dup')"));
        exec(a, "INSERT INTO jt_tx VALUES (6, 'after error')");
        a.commit();
      }
      eq(scalarLong(c, "SELECT count(*) FROM jt_tx"), 4L, "rows after autosave");
      // Isolation levels the driver sets with SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL.
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
      eq(scalarLong(c, "SELECT count(*) FROM jt_tx"), 4L, "repeatable read");
      c.commit();
      c.setAutoCommit(true);
      eq(c.getTransactionIsolation(), Connection.TRANSACTION_REPEATABLE_READ, "isolation");
      if (omendb) {  // OmenDB refuses SERIALIZABLE rather than run a weaker level (docs/transactions.md)
        expectState("0A000", () -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
      } else {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      }
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      eq(c.getTransactionIsolation(), Connection.TRANSACTION_READ_COMMITTED, "isolation");
    }
  }

  // ---- server-side prepare after prepareThreshold executions ---------------------------------------------

  static void prepareThreshold(String... props) throws Exception {
    try (Connection c = connect(props)) {
      exec(c, "DROP TABLE IF EXISTS jt_prep",
           "CREATE TABLE jt_prep (id int PRIMARY KEY, name varchar(20), price numeric(10,2), at timestamptz)");
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO jt_prep VALUES (?, ?, ?, ?)")) {
        for (int i = 1; i <= 10; i++) {
          ins.setInt(1, i);
          ins.setString(2, "item" + i);
          ins.setBigDecimal(3, new BigDecimal(i + ".25"));
          ins.setObject(4, OffsetDateTime.of(2024, 1, i, 12, 0, 0, 0, ZoneOffset.UTC));
          eq(ins.executeUpdate(), 1, "insert");
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
               "SELECT id, name, price, at, price * ? AS total FROM jt_prep WHERE id >= ? ORDER BY id LIMIT 2")) {
        for (int i = 1; i <= 10; i++) {
          ps.setInt(1, i);
          ps.setInt(2, i);
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next(), "first row", i);
            eq(rs.getInt(1), i, "id");
            eq(rs.getString(2), "item" + i, "name");
            eq(rs.getBigDecimal(3), new BigDecimal(i + ".25"), "price");
            check(rs.getObject(4, OffsetDateTime.class).isEqual(OffsetDateTime.of(2024, 1, i, 12, 0, 0, 0, ZoneOffset.UTC)),
                  "at", i);
            eq(rs.getBigDecimal(5), new BigDecimal(i + ".25").multiply(new BigDecimal(i)), "total");
            eq(rs.next(), i < 10, "second row");
          }
        }
        // After 10 executions the driver uses a named server-side statement (from the fifth by default).
        eq(ps.unwrap(PGStatement.class).isUseServerPrepare(), true, "isUseServerPrepare");
      }
      // The same statement text in a new PreparedStatement reuses the driver's statement cache.
      for (int round = 0; round < 7; round++) {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jt_prep WHERE name LIKE ?")) {
          ps.setString(1, "item1%");
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next());
            eq(rs.getLong(1), 2L, "count");
          }
        }
      }
      // DDL that changes a prepared statement's table: the next execution must still be right.
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jt_prep WHERE id > ?")) {
        for (int i = 0; i < 7; i++) {
          if (i == 4) {
            exec(c, "DELETE FROM jt_prep WHERE id > 8");
          }
          ps.setInt(1, 0);
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next());
            eq(rs.getLong(1), i < 4 ? 10L : 8L, "count " + i);
          }
        }
      }
    }
  }

  // ---- DatabaseMetaData ---------------------------------------------------------------------------------

  static String rows(ResultSet rs, String... columns) throws SQLException {
    List<String> out = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (String col : columns) row.add(col + "=" + rs.getString(col));
      out.add(String.join(" ", row));
    }
    rs.close();
    return String.join("\n", out);
  }

  static void metadataSchema(Connection c) throws SQLException {
    exec(c, "DROP TABLE IF EXISTS jm_lines", "DROP TABLE IF EXISTS jm_orders", "DROP TABLE IF EXISTS jm_other",
           "CREATE TABLE jm_orders (id bigint, region varchar(10) NOT NULL, amount numeric(12,2) DEFAULT 0, "
               + "note text, created timestamptz NOT NULL, PRIMARY KEY (region, id))",
           "CREATE INDEX jm_orders_created ON jm_orders (created)",
           "CREATE UNIQUE INDEX jm_orders_note ON jm_orders (note, amount)",
           "CREATE TABLE jm_other (k int PRIMARY KEY)");
  }

  static void metadata() throws Exception {
    try (Connection c = connect()) {
      metadataSchema(c);
      DatabaseMetaData md = c.getMetaData();
      eq(md.getDatabaseProductName(), "PostgreSQL", "product name");
      eq(md.getDatabaseMajorVersion(), 15, "major version");
      eq(md.getIdentifierQuoteString(), "\"", "quote");
      eq(md.getUserName(), user, "user name");
      eq(rows(md.getSchemas(), "TABLE_SCHEM").contains("TABLE_SCHEM=public"), true, "schemas");
      eq(rows(md.getTables(null, "public", "jm%", new String[] {"TABLE"}), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME",
              "TABLE_TYPE", "REMARKS"),
         "TABLE_CAT=null TABLE_SCHEM=public TABLE_NAME=jm_orders TABLE_TYPE=TABLE REMARKS=null\n"
             + "TABLE_CAT=null TABLE_SCHEM=public TABLE_NAME=jm_other TABLE_TYPE=TABLE REMARKS=null",
         "getTables");
      eq(rows(md.getTables(null, null, "jm_orders", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"),
         "TABLE_SCHEM=public TABLE_NAME=jm_orders TABLE_TYPE=TABLE", "getTables without types");
      eq(rows(md.getTables(null, "public", "jm_orders%", new String[] {"INDEX"}), "TABLE_NAME", "TABLE_TYPE"),
         "TABLE_NAME=jm_orders_created TABLE_TYPE=INDEX\nTABLE_NAME=jm_orders_note TABLE_TYPE=INDEX\n"
             + "TABLE_NAME=jm_orders_pkey TABLE_TYPE=INDEX",
         "getTables of indexes");
      eq(rows(md.getColumns(null, "public", "jm_orders", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
              "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "COLUMN_DEF", "ORDINAL_POSITION", "IS_NULLABLE",
              "IS_AUTOINCREMENT"),
         String.join("\n",
             "TABLE_NAME=jm_orders COLUMN_NAME=id DATA_TYPE=-5 TYPE_NAME=int8 COLUMN_SIZE=19 DECIMAL_DIGITS=0 NULLABLE=0 "
                 + "COLUMN_DEF=null ORDINAL_POSITION=1 IS_NULLABLE=NO IS_AUTOINCREMENT=NO",
             "TABLE_NAME=jm_orders COLUMN_NAME=region DATA_TYPE=12 TYPE_NAME=varchar COLUMN_SIZE=10 DECIMAL_DIGITS=0 "
                 + "NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=2 IS_NULLABLE=NO IS_AUTOINCREMENT=NO",
             "TABLE_NAME=jm_orders COLUMN_NAME=amount DATA_TYPE=2 TYPE_NAME=numeric COLUMN_SIZE=12 DECIMAL_DIGITS=2 "
                 + "NULLABLE=1 COLUMN_DEF=0 ORDINAL_POSITION=3 IS_NULLABLE=YES IS_AUTOINCREMENT=NO",
             "TABLE_NAME=jm_orders COLUMN_NAME=note DATA_TYPE=12 TYPE_NAME=text COLUMN_SIZE=2147483647 DECIMAL_DIGITS=0 "
                 + "NULLABLE=1 COLUMN_DEF=null ORDINAL_POSITION=4 IS_NULLABLE=YES IS_AUTOINCREMENT=NO",
             "TABLE_NAME=jm_orders COLUMN_NAME=created DATA_TYPE=93 TYPE_NAME=timestamptz COLUMN_SIZE=35 "
                 + "DECIMAL_DIGITS=6 NULLABLE=0 COLUMN_DEF=null ORDINAL_POSITION=5 IS_NULLABLE=NO IS_AUTOINCREMENT=NO"),
         "getColumns");
      eq(rows(md.getTableTypes(), "TABLE_TYPE").contains("TABLE_TYPE=TABLE"), true, "getTableTypes");
    }
  }

  static void typeInfo() throws Exception {
    try (Connection c = connect()) {
      DatabaseMetaData md = c.getMetaData();
      // Every column of the rows of the types OmenDB has (PostgreSQL lists more types), as PostgreSQL 15's.
      List<String> types = Arrays.asList("_int4", "_interval", "_text", "bool", "bpchar", "bytea", "date", "float8",
          "int2", "int4", "int8", "interval", "json", "jsonb", "name", "numeric", "oid", "regclass", "regproc", "text",
          "time", "timestamp", "timestamptz", "uuid", "varchar");
      List<String> got = new ArrayList<>();
      try (ResultSet rs = md.getTypeInfo()) {
        int n = rs.getMetaData().getColumnCount();
        eq(n, 18, "getTypeInfo columns");
        while (rs.next()) {
          if (!types.contains(rs.getString("TYPE_NAME"))) continue;
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) row.add(rs.getString(i));
          got.add(String.join("|", row));
        }
      }
      java.util.Collections.sort(got);
      eq(String.join("\n", got), String.join("\n",
          "_int4|2003|0|'|'|null|1|f|3|f|f|f|null|0|0|null|null|10",
          "_interval|2003|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "_text|2003|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "bool|-7|0|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "bpchar|1|10485760|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "bytea|-2|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "date|91|0|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "float8|8|0|null|null|null|1|f|3|f|f|f|null|0|0|null|null|10",
          "int2|5|0|null|null|null|1|f|3|f|f|f|null|0|0|null|null|10",
          "int4|4|0|null|null|null|1|f|3|f|f|f|null|0|0|null|null|10",
          "int8|-5|0|null|null|null|1|f|3|f|f|f|null|0|0|null|null|10",
          "interval|1111|6|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "jsonb|1111|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "json|1111|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "name|12|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "numeric|2|1000|null|null|null|1|f|3|f|f|f|null|0|1000|null|null|10",
          "oid|-5|0|null|null|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "regclass|1111|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "regproc|1111|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "text|12|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "timestamptz|93|6|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "timestamp|93|6|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "time|92|6|'|'|null|1|f|3|t|f|f|null|0|0|null|null|10",
          "uuid|1111|0|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10",
          "varchar|12|10485760|'|'|null|1|t|3|t|f|f|null|0|0|null|null|10"), "getTypeInfo");
    }
  }

  static void primaryKeys() throws Exception {
    try (Connection c = connect()) {
      metadataSchema(c);
      DatabaseMetaData md = c.getMetaData();
      eq(rows(md.getPrimaryKeys(null, "public", "jm_orders"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"),
         "TABLE_NAME=jm_orders COLUMN_NAME=region KEY_SEQ=1 PK_NAME=jm_orders_pkey\n"
             + "TABLE_NAME=jm_orders COLUMN_NAME=id KEY_SEQ=2 PK_NAME=jm_orders_pkey",
         "getPrimaryKeys");
      eq(rows(md.getPrimaryKeys(null, "public", "jm_other"), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ",
              "PK_NAME"),
         "TABLE_SCHEM=public TABLE_NAME=jm_other COLUMN_NAME=k KEY_SEQ=1 PK_NAME=jm_other_pkey", "single column");
      // A table with a unique index but no primary key has none.
      exec(c, "DROP TABLE IF EXISTS jt_nopk", "CREATE TABLE jt_nopk (a int, b text)",
           "CREATE UNIQUE INDEX jt_nopk_a ON jt_nopk (a)");
      eq(rows(md.getPrimaryKeys(null, "public", "jt_nopk"), "COLUMN_NAME"), "", "no primary key");
      exec(c, "DROP TABLE jt_nopk");
      // The key's columns as getBestRowIdentifier reads them (its own query, without the record value).
      eq(rows(md.getBestRowIdentifier(null, "public", "jm_orders", DatabaseMetaData.bestRowSession, false),
              "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME"),
         "COLUMN_NAME=id DATA_TYPE=-5 TYPE_NAME=int8\nCOLUMN_NAME=region DATA_TYPE=12 TYPE_NAME=varchar",
         "getBestRowIdentifier");
    }
  }

  static void indexInfo() throws Exception {
    try (Connection c = connect()) {
      metadataSchema(c);
      DatabaseMetaData md = c.getMetaData();
      eq(rows(md.getIndexInfo(null, "public", "jm_orders", false, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME",
              "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC"),
         String.join("\n",
             "TABLE_NAME=jm_orders NON_UNIQUE=f INDEX_NAME=jm_orders_note TYPE=3 ORDINAL_POSITION=1 COLUMN_NAME=note "
                 + "ASC_OR_DESC=A",
             "TABLE_NAME=jm_orders NON_UNIQUE=f INDEX_NAME=jm_orders_note TYPE=3 ORDINAL_POSITION=2 "
                 + "COLUMN_NAME=amount ASC_OR_DESC=A",
             "TABLE_NAME=jm_orders NON_UNIQUE=f INDEX_NAME=jm_orders_pkey TYPE=3 ORDINAL_POSITION=1 "
                 + "COLUMN_NAME=region ASC_OR_DESC=A",
             "TABLE_NAME=jm_orders NON_UNIQUE=f INDEX_NAME=jm_orders_pkey TYPE=3 ORDINAL_POSITION=2 COLUMN_NAME=id "
                 + "ASC_OR_DESC=A",
             "TABLE_NAME=jm_orders NON_UNIQUE=t INDEX_NAME=jm_orders_created TYPE=3 ORDINAL_POSITION=1 "
                 + "COLUMN_NAME=created ASC_OR_DESC=A"),
         "getIndexInfo");
      eq(rows(md.getIndexInfo(null, "public", "jm_orders", true, false), "INDEX_NAME", "COLUMN_NAME"),
         "INDEX_NAME=jm_orders_note COLUMN_NAME=note\nINDEX_NAME=jm_orders_note COLUMN_NAME=amount\n"
             + "INDEX_NAME=jm_orders_pkey COLUMN_NAME=region\nINDEX_NAME=jm_orders_pkey COLUMN_NAME=id",
         "getIndexInfo unique");
    }
  }

  static void foreignKeys() throws Exception {
    try (Connection c = connect()) {
      metadataSchema(c);
      exec(c, "CREATE TABLE jm_lines (id int PRIMARY KEY, region varchar(10), order_id bigint, other int "
               + "REFERENCES jm_other (k), FOREIGN KEY (region, order_id) REFERENCES jm_orders (region, id) "
               + "ON DELETE CASCADE)");
      DatabaseMetaData md = c.getMetaData();
      String[] cols = {"PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ",
                       "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};
      String orders = String.join("\n",
          "PKTABLE_SCHEM=public PKTABLE_NAME=jm_orders PKCOLUMN_NAME=region FKTABLE_NAME=jm_lines FKCOLUMN_NAME=region "
              + "KEY_SEQ=1 UPDATE_RULE=3 DELETE_RULE=0 FK_NAME=jm_lines_region_order_id_fkey PK_NAME=jm_orders_pkey "
              + "DEFERRABILITY=7",
          "PKTABLE_SCHEM=public PKTABLE_NAME=jm_orders PKCOLUMN_NAME=id FKTABLE_NAME=jm_lines FKCOLUMN_NAME=order_id "
              + "KEY_SEQ=2 UPDATE_RULE=3 DELETE_RULE=0 FK_NAME=jm_lines_region_order_id_fkey PK_NAME=jm_orders_pkey "
              + "DEFERRABILITY=7");
      String other = "PKTABLE_SCHEM=public PKTABLE_NAME=jm_other PKCOLUMN_NAME=k FKTABLE_NAME=jm_lines FKCOLUMN_NAME=other "
          + "KEY_SEQ=1 UPDATE_RULE=3 DELETE_RULE=3 FK_NAME=jm_lines_other_fkey PK_NAME=jm_other_pkey DEFERRABILITY=7";
      eq(rows(md.getImportedKeys(null, "public", "jm_lines"), cols), orders + "\n" + other, "getImportedKeys");
      eq(rows(md.getExportedKeys(null, "public", "jm_orders"), cols), orders, "getExportedKeys");
      eq(rows(md.getCrossReference(null, "public", "jm_other", null, "public", "jm_lines"), cols), other,
         "getCrossReference");
    }
  }

  // ---- errors -------------------------------------------------------------------------------------------

  static void errors() throws Exception {
    try (Connection c = connect()) {
      exec(c, "DROP TABLE IF EXISTS jt_err", "CREATE TABLE jt_err (id int PRIMARY KEY, v varchar(3) NOT NULL)");
      exec(c, "INSERT INTO jt_err VALUES (1, 'a')");
      expectState("42601", () -> exec(c, "SELEC 1"));
      expectState("42P01", () -> exec(c, "SELECT * FROM jt_missing"));
      expectState("42703", () -> exec(c, "SELECT nope FROM jt_err"));
      expectState("22012", () -> exec(c, "SELECT 1 / 0"));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_err VALUES (?, ?)")) {
        ps.setInt(1, 1);
        ps.setString(2, "b");
        expectState("23505", ps::executeUpdate);
        ps.setInt(1, 2);
        ps.setNull(2, Types.VARCHAR);
        expectState("23502", ps::executeUpdate);
        ps.setString(2, "toolong");
        expectState("22001", ps::executeUpdate);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
        ps.setString(1, "abc");
        expectState("22P02", ps::executeQuery);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jt_err WHERE id = ?")) {
        ps.setString(1, "1");  // a varchar parameter compared with an int column
        expectState("42883", ps::executeQuery);
      }
      SQLException e = null;
      try {
        exec(c, "INSERT INTO jt_err VALUES (1, 'c')");
      } catch (SQLException ex) {
        e = ex;
      }
      check(e != null && e.getMessage().contains("jt_err_pkey"), "message names the constraint", e);
      eq(scalarLong(c, "SELECT count(*) FROM jt_err"), 1L, "rows");
    }
  }

  // ---- a Grafana-style time-series panel -----------------------------------------------------------------

  static void timeSeries() throws Exception {
    try (Connection c = connect()) {
      exec(c, "DROP TABLE IF EXISTS jt_metrics",
           "CREATE TABLE jt_metrics (host text, ts timestamptz, cpu double precision, PRIMARY KEY (host, ts))");
      c.setAutoCommit(false);
      OffsetDateTime t0 = OffsetDateTime.of(2024, 5, 1, 0, 0, 0, 0, ZoneOffset.UTC);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt_metrics VALUES (?, ?, ?)")) {
        for (int i = 0; i < 600; i++) {  // one sample every 10 s for 100 minutes, two hosts
          for (String h : new String[] {"a", "b"}) {
            ps.setString(1, h);
            ps.setObject(2, t0.plusSeconds(10L * i));
            ps.setDouble(3, h.equals("a") ? i % 60 : 100 - i % 60);
            ps.addBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
      // What Grafana's PostgreSQL data source sends for a panel: $__timeGroupAlias(ts, 5m) and
      // $__timeFilter(ts), the time range bound as timestamptz parameters.
      String sql = "SELECT floor(extract(epoch from ts) / 300) * 300 AS \"time\", host AS metric, avg(cpu) AS value "
          + "FROM jt_metrics WHERE ts >= ? AND ts < ? AND host = ANY(?) GROUP BY 1, 2 ORDER BY 1, 2";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int round = 0; round < 6; round++) {  // the dashboard refreshing, past prepareThreshold
          ps.setObject(1, t0.plusMinutes(10).withOffsetSameInstant(ZoneOffset.ofHours(-5)));
          ps.setObject(2, t0.plusMinutes(30));
          ps.setArray(3, c.createArrayOf("text", new String[] {"a", "b"}));
          List<String> got = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) got.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getDouble(3));
          }
          long base = t0.toEpochSecond() + 600;
          List<String> want = new ArrayList<>();
          for (int b = 0; b < 4; b++) {
            // samples i = 60 + 30b .. 60 + 30b + 29: i % 60 runs 0..29 or 30..59
            double a = b % 2 == 0 ? 14.5 : 44.5;
            want.add((base + 300L * b) + " a " + a);
            want.add((base + 300L * b) + " b " + (100 - a));
          }
          eq(got.toString(), want.toString(), "panel " + round);
        }
      }
      // date_bin and time_bucket-like grouping with the bucket origin bound as a parameter too.
      try (PreparedStatement ps = c.prepareStatement(
               "SELECT date_bin('15 minutes', ts, ?) AS bucket, max(cpu) FROM jt_metrics WHERE host = ? "
               + "AND ts BETWEEN ? AND ? GROUP BY 1 ORDER BY 1")) {
        ps.setObject(1, t0);
        ps.setString(2, "a");
        ps.setObject(3, t0);
        ps.setObject(4, t0.plusMinutes(44));
        List<String> got = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            got.add(rs.getObject(1, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC) + " " + rs.getDouble(2));
          }
        }
        eq(got.toString(), "[2024-05-01T00:00Z 59.0, 2024-05-01T00:15Z 59.0, 2024-05-01T00:30Z 59.0]", "date_bin");
      }
    }
  }

  static void run(String name, List<String> only, Body body) {
    if (!only.isEmpty() && !only.contains(name)) return;
    long t0 = System.nanoTime();
    try {
      body.run();
      System.out.printf("ok    %s (%.1fs)%n", name, (System.nanoTime() - t0) / 1e9);
    } catch (Throwable e) {
      failed++;
      System.out.printf("FAIL  %s (%.1fs)%n", name, (System.nanoTime() - t0) / 1e9);
      e.printStackTrace(System.out);
    }
    System.out.flush();
  }

  static void pending(String name, List<String> only, String why, Body body) {
    if (!omendb) {
      run(name, only, body);
      return;
    }
    run(name, only, () -> {
      try {
        body.run();
      } catch (SQLException e) {
        if (!"0A000".equals(e.getSQLState())) throw e;
        System.out.println("pending " + name + ": " + why + " (" + e.getMessage().replace('\n', ' ') + ")");
        return;
      }
      throw new AssertionError(name + " works now: move it out of the pending tests (" + why + ")");
    });
  }

  public static void main(String[] argv) throws Exception {
    host = argv[0];
    port = argv[1];
    user = argv[2];
    dbname = argv[3];
    omendb = argv[4].equals("omendb");
    List<String> only = Arrays.asList(argv).subList(5, argv.length);
    System.out.println("pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION + ", java "
                       + System.getProperty("java.version") + ", time zone " + java.util.TimeZone.getDefault().getID());
    run("types_text", only, () -> typesRoundTrip());
    run("types_server_prepared", only, () -> typesRoundTrip("prepareThreshold", "1"));
    run("types_binary", only, () -> typesRoundTrip("prepareThreshold", "-1"));
    run("types_binary_transfer_off", only, () -> typesRoundTrip("prepareThreshold", "1", "binaryTransfer", "false"));
    run("batch_rewritten", only, () -> batch("true"));
    run("batch", only, () -> batch("false"));
    run("transactions", only, JdbcTest::transactions);
    run("prepare_threshold_default", only, () -> prepareThreshold());
    run("prepare_threshold_1", only, () -> prepareThreshold("prepareThreshold", "1"));
    run("prepare_threshold_binary", only, () -> prepareThreshold("prepareThreshold", "-1"));
    run("interval", only, JdbcTest::interval);
    run("metadata", only, JdbcTest::metadata);
    run("type_info", only, JdbcTest::typeInfo);
    run("primary_keys", only, JdbcTest::primaryKeys);
    run("index_info", only, JdbcTest::indexInfo);
    run("foreign_keys", only, JdbcTest::foreignKeys);
    run("errors", only, JdbcTest::errors);
    run("time_series", only, JdbcTest::timeSeries);
    System.out.println(failed + " failed");
    System.exit(failed);
  }
}
