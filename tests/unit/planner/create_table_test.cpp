#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

TEST_F(PlannerTest, CreateTableTypes) {
  auto def = create(
      "CREATE TABLE x (a int, b integer, c int4, d bigint, e int8, f smallint, g double precision, h float8, "
      "i real, j float, k text, l varchar(10), m character varying, n boolean, o bool)");
  EXPECT_EQ(def.name, "x");
  std::vector<TypeId> types;
  for (const auto& c : def.columns) types.push_back(c.type);
  EXPECT_EQ(types, (std::vector<TypeId>{TypeId::Int32, TypeId::Int32, TypeId::Int32, TypeId::Int64,
                                        TypeId::Int64, TypeId::Int16, TypeId::Float64, TypeId::Float64,
                                        TypeId::Float32, TypeId::Float64, TypeId::Text, TypeId::Text,
                                        TypeId::Text, TypeId::Bool, TypeId::Bool}));
  EXPECT_EQ(def.columns[11].max_length, 10);
  EXPECT_EQ(def.columns[12].max_length, -1);
  EXPECT_TRUE(def.primary_key.empty());
  EXPECT_FALSE(def.columns[0].not_null);
}

TEST_F(PlannerTest, CreateTablePrimaryKeys) {
  auto inline_pk = create("CREATE TABLE x (a int, b text PRIMARY KEY, c int NOT NULL)");
  EXPECT_EQ(inline_pk.primary_key, std::vector<int>{1});
  EXPECT_TRUE(inline_pk.columns[1].not_null);
  EXPECT_TRUE(inline_pk.columns[2].not_null);
  EXPECT_FALSE(inline_pk.columns[0].not_null);
  auto table_pk = create("CREATE TABLE x (a int, b text, c int, PRIMARY KEY (c, a))");
  EXPECT_EQ(table_pk.primary_key, (std::vector<int>{2, 0}));
  EXPECT_TRUE(table_pk.columns[0].not_null);
  EXPECT_TRUE(table_pk.columns[2].not_null);
  EXPECT_FALSE(table_pk.columns[1].not_null);
}

TEST_F(PlannerTest, CreateTableUniqueConstraints) {
  // In the order written; one on the primary key's columns is the primary key; repeats are one index,
  // with a name one of them gave (PostgreSQL's transformIndexConstraints). Unnamed ones are named later.
  auto def = create(
      "CREATE TABLE x (a int PRIMARY KEY UNIQUE, b int UNIQUE, c int, UNIQUE (c, b), UNIQUE (b), "
      "CONSTRAINT named UNIQUE NULLS NOT DISTINCT (c))");
  ASSERT_EQ(def.indexes.size(), 3u);
  EXPECT_EQ(def.indexes[0].attnums, std::vector<int32_t>{2});
  EXPECT_EQ(def.indexes[0].name, "");
  EXPECT_EQ(def.indexes[1].attnums, (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(def.indexes[2].name, "named");
  EXPECT_TRUE(def.indexes[2].nulls_not_distinct);
  for (const auto& ix : def.indexes) {
    EXPECT_TRUE(ix.unique);
    EXPECT_TRUE(ix.constraint);
    EXPECT_EQ(ix.id, 0u);
  }
}

TEST_F(PlannerTest, CreateTableCharN) {
  auto def = create("CREATE TABLE x (a char(3), b character, c bpchar(7), d varchar(2))");
  ASSERT_EQ(def.columns.size(), 4u);
  EXPECT_EQ(def.columns[0].type, TypeId::BpChar);
  EXPECT_EQ(def.columns[0].max_length, 3);
  EXPECT_EQ(def.columns[1].max_length, 1);
  EXPECT_EQ(def.columns[2].max_length, 7);
  EXPECT_EQ(def.columns[1].type, TypeId::BpChar);
  EXPECT_EQ(def.columns[3].type, TypeId::Text);
}

TEST_F(PlannerTest, CreateTableErrors) {
  EXPECT_EQ(create_error("CREATE TABLE x (a int PRIMARY KEY, b int PRIMARY KEY)"),
            SqlState::InvalidTableDefinition);
  EXPECT_EQ(last_error_, "multiple primary keys for table \"x\" are not allowed");
  EXPECT_EQ(create_error("CREATE TABLE x (a int PRIMARY KEY, b int, PRIMARY KEY (b))"),
            SqlState::InvalidTableDefinition);
  EXPECT_EQ(create_error("CREATE TABLE x (a int, a text)"), SqlState::DuplicateColumn);
  EXPECT_EQ(create_error("CREATE TABLE x (a int, PRIMARY KEY (b))"), SqlState::UndefinedColumn);
  EXPECT_EQ(create_error("CREATE TABLE x (a numeric(0))"), SqlState::InvalidParameterValue);
  EXPECT_EQ(last_error_, "NUMERIC precision 0 must be between 1 and 1000");
  EXPECT_EQ(create_error("CREATE TABLE x (a decimal(10, 2000))"), SqlState::InvalidParameterValue);
  EXPECT_EQ(create_error("CREATE TABLE x (a char(0))"), SqlState::InvalidParameterValue);
  EXPECT_EQ(create_error("CREATE TABLE x (a char(3)[])"), SqlState::FeatureNotSupported);
  // Date/time types are supported; a precision other than 6 and an interval key column are not yet.
  EXPECT_EQ(create_error("CREATE TABLE x (a timestamp(3))"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a interval PRIMARY KEY)"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a interval, PRIMARY KEY (a))"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a timetz)"), SqlState::FeatureNotSupported);
  // Arrays are column types; not as a key, and not of the catalog types.
  EXPECT_EQ(create_error("CREATE TABLE x (a int[] PRIMARY KEY)"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a int[], PRIMARY KEY (a))"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a oid[])"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a nosuchtype)"), SqlState::UndefinedObject);
  EXPECT_EQ(last_error_, "type \"nosuchtype\" does not exist");
  EXPECT_EQ(create_error("CREATE TABLE x (a interval UNIQUE)"), SqlState::FeatureNotSupported);
  EXPECT_EQ(create_error("CREATE TABLE x (a int, UNIQUE (b))"), SqlState::UndefinedColumn);
  EXPECT_EQ(last_error_, "column \"b\" named in key does not exist");
  EXPECT_EQ(create_error("CREATE TABLE x (a int, UNIQUE (a, a))"), SqlState::DuplicateColumn);
  EXPECT_EQ(last_error_, "column \"a\" appears twice in unique constraint");
  EXPECT_EQ(create_error("CREATE TABLE x (a int DEFAULT a)"), SqlState::FeatureNotSupported);
  EXPECT_EQ(last_error_, "cannot use column reference in DEFAULT expression");
  EXPECT_EQ(create_error("CREATE TABLE x (a int, CHECK (a + 1))"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "argument of CHECK constraint must be type boolean, not type integer");
  EXPECT_EQ(create_error("CREATE TABLE x (a int, CHECK (a > (SELECT 1)))"), SqlState::FeatureNotSupported);
  EXPECT_EQ(last_error_, "cannot use subquery in check constraint");
  EXPECT_EQ(create_error("CREATE TABLE x (a int, CHECK (z > 0))"), SqlState::UndefinedColumn);
}

TEST_F(PlannerTest, CreateTableCheckConstraintsAsPostgreSQLPrintsThem) {
  storage::TableDef def = create(
      "CREATE TABLE x (a int CHECK (a > 0), b text, c numeric, d float8, CHECK (b <> '' AND d > 0.5), "
      "CHECK ((a + 1) * 2 - 1 > a OR NOT (c > 0)), CONSTRAINT z CHECK (a IN (1, 2)))");
  ASSERT_EQ(def.checks.size(), 4u);  // ordered by name
  EXPECT_EQ(def.checks[0].name, "x_a_check");
  EXPECT_EQ(def.checks[0].display, "(a > 0)");
  EXPECT_EQ(def.checks[0].pretty, "a > 0");
  EXPECT_EQ(def.checks[1].name, "x_check");
  EXPECT_EQ(def.checks[1].display, "((b <> ''::text) AND (d > (0.5)::double precision))");
  EXPECT_EQ(def.checks[1].pretty, "b <> ''::text AND d > 0.5::double precision");
  EXPECT_EQ(def.checks[2].name, "x_check1");
  EXPECT_EQ(def.checks[2].display, "(((((a + 1) * 2) - 1) > a) OR (NOT (c > (0)::numeric)))");
  EXPECT_EQ(def.checks[2].pretty, "((a + 1) * 2 - 1) > a OR NOT c > 0::numeric");
  EXPECT_EQ(def.checks[3].name, "z");
  EXPECT_EQ(def.checks[3].display, "(a = ANY (ARRAY[1, 2]))");
}

TEST_F(PlannerTest, CreateTableTooManyColumns) {
  std::string sql = "CREATE TABLE wide (";
  for (int i = 0; i < 1601; ++i) sql += (i ? ", c" : "c") + std::to_string(i) + " int";
  sql += ")";
  EXPECT_EQ(create_error(sql), SqlState::ProgramLimitExceeded);
}

}  // namespace
}  // namespace omendb::planner::testing
