// statement_key: the simple protocol's statement cache key (literals replaced by markers of their kind),
// and the literals' values as PostgreSQL's scanner reads them.
#include "frontend/parser/statement_key.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "frontend/parser/parser.h"

#include <optional>
#include <string>
#include <vector>

namespace omendb::parser {
namespace {

std::string key_of(std::string_view sql) {
  auto k = statement_key(sql);
  return k ? k->key : std::string("<none>");
}

std::vector<std::string> values_of(std::string_view sql) {
  std::vector<std::string> out;
  auto k = statement_key(sql);
  if (!k) return {"<none>"};
  for (const KeyLiteral& l : k->literals)
    out.push_back((l.kind == KeyLiteral::Kind::Number ? "n:" : "s:") + l.value);
  return out;
}

TEST(StatementKey, LiteralsBecomeMarkers) {
  EXPECT_EQ(key_of("SELECT * FROM metrics WHERE device_id = 42 AND ts = 1700000000"),
            "SELECT * FROM metrics WHERE device_id = \x01n AND ts = \x01n");
  EXPECT_EQ(key_of("SELECT * FROM metrics WHERE device_id = 42 AND ts = 1700000000"),
            key_of("SELECT  *  FROM metrics\n WHERE device_id=7 AND ts = 99999999999999999999 -- c\n"));
  EXPECT_EQ(key_of("select 'a', $$b$$, E'c', 1.5, .5, 1e5"),
            "select \x01s , \x01s , \x01s , \x01n , \x01n , \x01n");
  EXPECT_EQ(values_of("select 'a', $$b$$, E'c', 1.5, .5, 1e5, 1E-3, 007"),
            (std::vector<std::string>{"s:a", "s:b", "s:c", "n:1.5", "n:.5", "n:1e5", "n:1E-3", "n:007"}));
}

TEST(StatementKey, KindsDiffer) {
  EXPECT_NE(key_of("SELECT 1"), key_of("SELECT '1'"));
  EXPECT_NE(key_of("SELECT 1"), key_of("SELECT NULL"));
  EXPECT_NE(key_of("SELECT 1"), key_of("SELECT true"));
  EXPECT_NE(key_of("SELECT x FROM t"), key_of("SELECT X FROM t"));  // no case folding: only a miss
  EXPECT_NE(key_of("SELECT \"x\" FROM t"), key_of("SELECT x FROM t"));
}

TEST(StatementKey, Strings) {
  EXPECT_EQ(values_of("SELECT 'it''s', 'a\\b', E'it\\'s', E'x''y', e'\\n\\t\\\\\\q'"),
            (std::vector<std::string>{"s:it's", "s:a\\b", "s:it's", "s:x'y", "s:\n\t\\q"}));
  EXPECT_EQ(values_of("SELECT $$a'b$$, $t$x$$y$t$, $a$ $b$a$"),
            (std::vector<std::string>{"s:a'b", "s:x$$y", "s: $b"}));
  EXPECT_EQ(values_of("SELECT '-- not a comment', '/* nor this */'"),
            (std::vector<std::string>{"s:-- not a comment", "s:/* nor this */"}));
  EXPECT_EQ(values_of("SELECT date '2024-01-01'"), (std::vector<std::string>{"s:2024-01-01"}));
}

TEST(StatementKey, GivesUp) {
  for (const char* sql : {"SELECT 'abc",
                          "SELECT E'abc\\'",
                          "SELECT $$abc",
                          "SELECT $a$abc$b$",
                          "SELECT \"abc",
                          "SELECT /* unterminated",
                          "SELECT /* /* nested */ still open",
                          "SELECT 1; SELECT 2",
                          "SELECT 1;;",
                          "SELECT $1",
                          "SELECT B'101'",
                          "SELECT X'1f'",
                          "SELECT N'abc'",
                          "SELECT U&'d\\0061t'",
                          "SELECT U&\"x\"",
                          "SELECT E'\\x41'",
                          "SELECT E'\\101'",
                          "SELECT E'\\u0041'",
                          "SELECT 'a'\n'b'",
                          "SELECT 'a' /* c */ 'b'",
                          "SELECT 1..2",
                          "SELECT 1e",
                          "SELECT 1e+",
                          "SELECT 1abc",
                          "SELECT 0x1f",
                          "SELECT 1.2.3",
                          "SELECT \"\"",
                          "SELECT {",
                          "SELECT a := 1",
                          "SELECT \\"}) {
    EXPECT_FALSE(statement_key(sql).has_value()) << sql;
  }
  EXPECT_FALSE(statement_key(std::string(kMaxKeyedStatement + 1, ' ')).has_value());
  std::string huge = "SELECT '" + std::string(1 << 20, 'x');
  EXPECT_FALSE(statement_key(huge).has_value());
  EXPECT_FALSE(statement_key(std::string("SELECT 'a\0b'", 13)).has_value());  // libpg_query reads C strings
}

TEST(StatementKey, Comments) {
  EXPECT_EQ(key_of("SELECT /* a /* nested */ comment */ 1 -- end"), "SELECT \x01n");
  EXPECT_EQ(key_of("SELECT 1; -- trailing\n"), "SELECT \x01n ;");
  EXPECT_EQ(key_of("SELECT 1 --"), "SELECT \x01n");
  EXPECT_EQ(key_of(""), "");
}

TEST(StatementKey, Operators) {
  // scan.l gives trailing + and - back: a=-1 is a = - 1; with ~!@#^&|`?% in the run it stays one operator.
  EXPECT_EQ(key_of("SELECT a=-1"), "SELECT a = - \x01n");
  EXPECT_EQ(key_of("SELECT a = -1"), key_of("SELECT a=-1"));
  EXPECT_EQ(key_of("SELECT a@-1"), "SELECT a @- \x01n");
  EXPECT_EQ(key_of("SELECT a<-1"), key_of("SELECT a< -1"));    // <- gives its - back too
  EXPECT_NE(key_of("SELECT a<@-1"), key_of("SELECT a<@ -1"));  // <@- is one operator, <@ - two
  EXPECT_EQ(key_of("SELECT a-- c\n-1"), "SELECT a - \x01n");
  EXPECT_EQ(key_of("SELECT x::int, t.a"), "SELECT x :: int , t . a");
}

TEST(StatementKey, MapsPositions) {
  auto a = statement_key("SELECT 1 + 'abc' FROM t");
  auto b = statement_key("SELECT   12345 + 'x' FROM  t");
  ASSERT_TRUE(a && b);
  const size_t blen = std::string_view("SELECT   12345 + 'x' FROM  t").size();
  EXPECT_EQ(map_position(0, *a, *b, blen), 0);
  EXPECT_EQ(map_position(1, *a, *b, blen), 1);    // SELECT
  EXPECT_EQ(map_position(8, *a, *b, blen), 10);   // 1 -> 12345
  EXPECT_EQ(map_position(10, *a, *b, blen), 16);  // +
  EXPECT_EQ(map_position(12, *a, *b, blen), 18);  // 'abc' -> 'x'
  EXPECT_EQ(map_position(15, *a, *b, blen), 20);  // inside 'abc': at most inside 'x'
  EXPECT_EQ(map_position(23, *a, *b, blen), 28);  // t
}

// Every literal's value as the engine's cache computes it (number_literal_value, the scanner's string value)
// is the value parse() puts in the statement's Constant node, located at the token (at the '-' when the
// grammar folded it into the number).
TEST(StatementKey, LiteralValuesAreTheParsersValues) {
  for (const char* lit : {"0",
                          "7",
                          "007",
                          "2147483647",
                          "2147483648",
                          "-2147483648",
                          "-2147483649",
                          "9223372036854775807",
                          "9223372036854775808",
                          "-9223372036854775808",
                          "-9223372036854775809",
                          "1.5",
                          "-1.5",
                          "1.",
                          ".5",
                          "1e5",
                          "1E-3",
                          "-0",
                          "- 12",
                          "99999999999999999999999999",
                          "'x'",
                          "'it''s'",
                          R"(E'a\\b\'c\n')",
                          "$$d$$",
                          "$t$ $ $t$",
                          "''"}) {
    const std::string sql = std::string("SELECT ") + lit;
    std::vector<ast::Expr*> constants;
    auto stmts = parse(sql, &constants);
    auto key = statement_key(sql);
    ASSERT_TRUE(key.has_value()) << sql;
    ASSERT_EQ(constants.size(), 1u) << sql;
    ASSERT_EQ(key->literals.size(), 1u) << sql;
    const KeyLiteral& l = key->literals[0];
    const KeyToken& t = key->tokens[static_cast<size_t>(l.token)];
    const bool negated = lit[0] == '-';
    EXPECT_EQ(constants[0]->location, static_cast<int>(negated ? key->tokens[1].begin : t.begin)) << sql;
    Value expected = l.kind == KeyLiteral::Kind::String ? Value::text(l.value, TypeId::Unknown)
                                                        : number_literal_value(l.value, negated);
    EXPECT_TRUE(expected == constants[0]->value && expected.type() == constants[0]->value.type()) << sql;
  }
}

// Differential check against libpg_query's scanner on mutated statements: wherever the parser made a
// Constant at one of the key's literal tokens, the token's value is the Constant's (what the engine checks
// before it keeps a tree, here over inputs nobody wrote by hand: quotes, escapes, comments, dollar signs).
TEST(StatementKey, MutatedStatementsAgreeWithTheParser) {
  const std::vector<std::string> seeds = {
      "SELECT * FROM t WHERE a = 42 AND b = 'x' -- c",
      "SELECT E'a\\'' b', $q$ x $q$, 1.5e3, -7, .5 FROM t /* c /* d */ */",
      "INSERT INTO t VALUES (1, 'it''s', -2147483648, 9223372036854775808)",
      "UPDATE t SET a = a - -1, b = $$z$$ WHERE c <> 'q' AND d = 1e-2",
      "SELECT 'a' || \"col\" FROM \"T\" WHERE x IN (1, 2, -3)"};
  const std::string alphabet = "'\"$-/*Ee\\\n 1.9;:+_aq";
  uint64_t rng = 12345;
  auto next = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  int keyed = 0, checked = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string sql = seeds[next() % seeds.size()];
    for (int m = static_cast<int>(next() % 4); m >= 0; --m) {
      const size_t at = next() % (sql.size() + 1);
      if (next() % 3 == 0 && at < sql.size()) {
        sql.erase(at, 1 + next() % 3);
      } else {
        sql.insert(at, 1, alphabet[next() % alphabet.size()]);
      }
    }
    auto key = statement_key(sql);
    if (!key) continue;
    ++keyed;
    std::vector<ast::Expr*> constants;
    std::vector<ast::StmtPtr> stmts;
    try {
      stmts = parse(sql, &constants);
    } catch (const SqlError&) {
      continue;
    }
    for (ast::Expr* c : constants) {
      for (size_t i = 0; i < key->tokens.size(); ++i) {
        const KeyToken& t = key->tokens[i];
        if (static_cast<int>(t.begin) != c->location || t.literal < 0) continue;
        const KeyLiteral& l = key->literals[static_cast<size_t>(t.literal)];
        std::optional<Value> v;
        if (l.kind == KeyLiteral::Kind::String) {
          v = Value::text(l.value, TypeId::Unknown);
        } else {
          try {
            v = number_literal_value(l.value, false);
          } catch (const SqlError&) {
          }
        }
        if (!v) continue;
        ++checked;
        EXPECT_TRUE(*v == c->value && v->type() == c->value.type()) << sql;
      }
    }
  }
  EXPECT_GT(keyed, 1000);
  EXPECT_GT(checked, 1000);
}

TEST(StatementKey, NumberLiteralErrorsAreTheParsers) {
  const std::string huge = std::string(200000, '9');  // beyond numeric's digits
  bool parse_failed = false, value_failed = false;
  try {
    parse("SELECT " + huge);
  } catch (const SqlError&) {
    parse_failed = true;
  }
  try {
    number_literal_value(huge, false);
  } catch (const SqlError&) {
    value_failed = true;
  }
  EXPECT_EQ(parse_failed, value_failed);
}

}  // namespace
}  // namespace omendb::parser
