// Statement transforms, statement-level unsupported features, multi-statement strings.
#include <gtest/gtest.h>
#include <optional>

#include "parser_test_util.h"

namespace omendb::parser::testing {
namespace {

using ast::ExprKind;
using ast::StmtKind;

// ------------------------------------------------------------------ SELECT

TEST(ParserSelect, FullClauseSet) {
  auto s = parse_one<ast::SelectStmt>(
      "SELECT a, b AS bee, count(*) FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 2 "
      "ORDER BY a DESC, b ASC NULLS FIRST, 3 NULLS LAST LIMIT 10 OFFSET 5");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty()) << s->unsupported_feature;
  EXPECT_FALSE(s->distinct);
  ASSERT_EQ(s->targets.size(), 3u);
  EXPECT_EQ(s->targets[0].expr->names[0], "a");
  EXPECT_EQ(s->targets[0].alias, "");
  EXPECT_EQ(s->targets[0].location, 7);
  EXPECT_EQ(s->targets[1].alias, "bee");
  EXPECT_EQ(s->targets[2].expr->func_name, "count");
  ASSERT_EQ(s->from.size(), 1u);
  EXPECT_EQ(s->from[0]->table.name, "t");
  ASSERT_TRUE(s->where);
  EXPECT_EQ(s->where->binary_op, ast::BinaryOp::Gt);
  ASSERT_EQ(s->group_by.size(), 2u);
  EXPECT_EQ(s->group_by[1]->names[0], "b");
  ASSERT_TRUE(s->having);
  ASSERT_EQ(s->order_by.size(), 3u);
  EXPECT_TRUE(s->order_by[0].descending);
  EXPECT_FALSE(s->order_by[0].nulls_first.has_value());
  EXPECT_FALSE(s->order_by[1].descending);
  ASSERT_TRUE(s->order_by[1].nulls_first.has_value());
  EXPECT_TRUE(*s->order_by[1].nulls_first);
  ASSERT_TRUE(s->order_by[2].nulls_first.has_value());
  EXPECT_FALSE(*s->order_by[2].nulls_first);
  EXPECT_EQ(s->order_by[2].expr->value.as_int(), 3);
  ASSERT_TRUE(s->limit);
  EXPECT_EQ(s->limit->value.as_int(), 10);
  ASSERT_TRUE(s->offset);
  EXPECT_EQ(s->offset->value.as_int(), 5);
}

TEST(ParserSelect, NoFromAndNoLimit) {
  auto s = parse_one<ast::SelectStmt>("SELECT 1");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->from.empty());
  EXPECT_FALSE(s->where);
  EXPECT_FALSE(s->limit);
  EXPECT_FALSE(s->offset);
}

TEST(ParserSelect, LimitAllIsNoLimit) {
  auto s = parse_one<ast::SelectStmt>("SELECT a FROM t LIMIT ALL");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->limit);
  auto f = parse_one<ast::SelectStmt>("SELECT a FROM t FETCH FIRST 3 ROWS ONLY");
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->limit);
  EXPECT_EQ(f->limit->value.as_int(), 3);
  auto p = parse_one<ast::SelectStmt>("SELECT a FROM t LIMIT $1 OFFSET $2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->limit->kind, ExprKind::Param);
  EXPECT_EQ(p->offset->param_number, 2);
}

TEST(ParserSelect, StarsAndQualifiedStars) {
  auto s = parse_one<ast::SelectStmt>("SELECT *, t.* FROM t");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->targets.size(), 2u);
  EXPECT_EQ(s->targets[0].expr->kind, ExprKind::Star);
  EXPECT_TRUE(s->targets[0].expr->names.empty());
  EXPECT_EQ(s->targets[1].expr->kind, ExprKind::Star);
  EXPECT_EQ(s->targets[1].expr->names, (std::vector<std::string>{"t"}));
}

TEST(ParserSelect, Distinct) {
  auto s = parse_one<ast::SelectStmt>("SELECT DISTINCT a FROM t");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->distinct);
  EXPECT_TRUE(s->unsupported_feature.empty());
  auto on = parse_one<ast::SelectStmt>("SELECT DISTINCT ON (a, 2) a, b FROM t ORDER BY a, b");
  ASSERT_TRUE(on);
  EXPECT_FALSE(on->distinct);
  EXPECT_TRUE(on->unsupported_feature.empty());
  ASSERT_EQ(on->distinct_on.size(), 2u);
  EXPECT_EQ(on->distinct_on[0]->kind, ast::ExprKind::ColumnRef);
  EXPECT_EQ(on->distinct_on[1]->kind, ast::ExprKind::Constant);
}

TEST(ParserSelect, FromListsAliasesSchemas) {
  auto s = parse_one<ast::SelectStmt>("SELECT 1 FROM public.t1 AS x, \"T2\" y, T3");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->from.size(), 3u);
  EXPECT_EQ(s->from[0]->table.schema, "public");
  EXPECT_EQ(s->from[0]->table.name, "t1");
  EXPECT_EQ(s->from[0]->table.alias, "x");
  EXPECT_EQ(s->from[0]->table.location, 14);
  EXPECT_EQ(s->from[1]->table.name, "T2");  // quoted: case kept
  EXPECT_EQ(s->from[1]->table.alias, "y");
  EXPECT_EQ(s->from[2]->table.name, "t3");  // unquoted: lower-cased
  EXPECT_EQ(s->from[2]->table.schema, "");
}

TEST(ParserSelect, JoinTrees) {
  auto s = parse_one<ast::SelectStmt>("SELECT * FROM a, b NATURAL JOIN c LEFT JOIN d USING (x, y)");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty()) << s->unsupported_feature;
  ASSERT_EQ(s->from.size(), 2u);
  EXPECT_FALSE(s->from[0]->is_join);
  const ast::FromItem& j = *s->from[1];
  ASSERT_TRUE(j.is_join);
  EXPECT_EQ(j.join_type, ast::JoinType::Left);
  EXPECT_EQ(j.using_columns, (std::vector<std::string>{"x", "y"}));
  ASSERT_TRUE(j.left && j.left->is_join);
  EXPECT_TRUE(j.left->natural);
  EXPECT_EQ(j.left->left->table.name, "b");
  EXPECT_EQ(j.right->table.name, "d");
  auto on = parse_one<ast::SelectStmt>("SELECT * FROM a FULL JOIN b ON a.x = b.x CROSS JOIN c");
  ASSERT_TRUE(on);
  ASSERT_EQ(on->from.size(), 1u);
  EXPECT_EQ(on->from[0]->join_type, ast::JoinType::Inner);  // CROSS JOIN: inner, no condition
  EXPECT_FALSE(on->from[0]->on);
  EXPECT_EQ(on->from[0]->left->join_type, ast::JoinType::Full);
  EXPECT_TRUE(on->from[0]->left->on);
}

TEST(ParserSelect, FunctionsAndLateralInFrom) {
  auto f = parse_one<ast::SelectStmt>("SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(x, n)");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->unsupported_feature.empty());
  ASSERT_EQ(f->from.size(), 1u);
  ASSERT_TRUE(f->from[0]->function);
  EXPECT_EQ(f->from[0]->function->func_name, "generate_series");
  EXPECT_TRUE(f->from[0]->ordinality);
  EXPECT_EQ(f->from[0]->table.alias, "g");
  EXPECT_EQ(f->from[0]->column_aliases, (std::vector<std::string>{"x", "n"}));
  auto l = parse_one<ast::SelectStmt>("SELECT * FROM a, LATERAL (SELECT a.x) s");
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->unsupported_feature.empty());
  ASSERT_EQ(l->from.size(), 2u);
  EXPECT_TRUE(l->from[1]->lateral);
  // Still named: several functions (ROWS FROM) and column definition lists.
  for (const char* sql : {"SELECT * FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))",
                          "SELECT * FROM f() AS x(a int)"}) {
    auto s = parse_one<ast::SelectStmt>(sql);
    ASSERT_TRUE(s) << sql;
    EXPECT_FALSE(s->unsupported_feature.empty()) << sql;
  }
}

TEST(ParserSelect, DerivedTablesWithAndSetOperations) {
  auto d = parse_one<ast::SelectStmt>("SELECT * FROM a JOIN (SELECT 1 AS x) AS s(y) ON true, t AS u(p, q)");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->unsupported_feature.empty());
  ASSERT_EQ(d->from.size(), 2u);
  ASSERT_TRUE(d->from[0]->is_join);
  ASSERT_TRUE(d->from[0]->right->subquery);
  EXPECT_EQ(d->from[0]->right->table.alias, "s");
  EXPECT_EQ(d->from[0]->right->column_aliases, (std::vector<std::string>{"y"}));
  EXPECT_EQ(d->from[1]->column_aliases, (std::vector<std::string>{"p", "q"}));

  auto w = parse_one<ast::SelectStmt>(
      "WITH a(x) AS (SELECT 1), b AS MATERIALIZED (SELECT * FROM a) SELECT * FROM b");
  ASSERT_TRUE(w);
  ASSERT_EQ(w->with.size(), 2u);
  EXPECT_EQ(w->with[0].name, "a");
  EXPECT_EQ(w->with[0].columns, (std::vector<std::string>{"x"}));
  ASSERT_TRUE(w->with[1].query);
  EXPECT_EQ(w->with[1].query->from.size(), 1u);
  EXPECT_EQ(w->with[0].materialize, ast::CteMaterialize::Default);
  EXPECT_EQ(w->with[1].materialize, ast::CteMaterialize::Always);
  auto nm = parse_one<ast::SelectStmt>("WITH a AS NOT MATERIALIZED (SELECT 1) SELECT * FROM a");
  ASSERT_TRUE(nm);
  EXPECT_EQ(nm->with.at(0).materialize, ast::CteMaterialize::Never);

  // INTERSECT binds tighter: 1 UNION (2 INTERSECT 3), then ORDER BY / LIMIT on the whole.
  auto u = parse_one<ast::SelectStmt>("SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1 LIMIT 2");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->set_op, ast::SetOp::Union);
  EXPECT_TRUE(u->set_all);
  ASSERT_TRUE(u->larg && u->rarg);
  EXPECT_EQ(u->rarg->set_op, ast::SetOp::Intersect);
  EXPECT_EQ(u->order_by.size(), 1u);
  EXPECT_TRUE(u->limit);

  auto v = parse_one<ast::SelectStmt>("VALUES (1, 'a'), (2, 'b')");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->values.size(), 2u);
  EXPECT_EQ(v->values[1].size(), 2u);
}

TEST(ParserSelect, StatementLevelUnsupportedFeatures) {
  struct Case {
    const char* sql;
    const char* feature;
  } cases[] = {
      {"WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n FROM x) SEARCH DEPTH FIRST BY n SET o SELECT * "
       "FROM x",
       "SEARCH clauses of WITH RECURSIVE queries"},
      {"WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n FROM x) CYCLE n SET c USING p SELECT * FROM x",
       "CYCLE clauses of WITH RECURSIVE queries"},
      {"SELECT a FROM t ORDER BY a FETCH FIRST 1 ROWS WITH TIES", "FETCH FIRST ... WITH TIES"},
      {"SELECT a FROM t TABLESAMPLE SYSTEM (10)", "TABLESAMPLE"},
  };
  for (const auto& c : cases) {
    auto stmts = parse(c.sql);
    ASSERT_EQ(stmts.size(), 1u) << c.sql;
    ASSERT_EQ(stmts[0]->kind, StmtKind::Select) << c.sql;
    EXPECT_EQ(static_cast<ast::SelectStmt&>(*stmts[0]).unsupported_feature, c.feature) << c.sql;
  }
}

// Data-modifying WITH items: the statement in CommonTableExpr::dml (the binder checks where it may be).
TEST(ParserSelect, DataModifyingWith) {
  auto s = parse_one<ast::SelectStmt>(
      "WITH d AS (DELETE FROM t WHERE a < 3 RETURNING a), i AS (INSERT INTO u SELECT * FROM d), "
      "q AS (SELECT 1), p AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM d");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  ASSERT_EQ(s->with.size(), 4u);
  ASSERT_TRUE(s->with[0].dml);
  EXPECT_EQ(s->with[0].dml->kind, StmtKind::Delete);
  EXPECT_FALSE(s->with[0].query);
  EXPECT_EQ(static_cast<ast::DeleteStmt&>(*s->with[0].dml).returning.size(), 1u);
  ASSERT_TRUE(s->with[1].dml);
  EXPECT_EQ(s->with[1].dml->kind, StmtKind::Insert);
  EXPECT_TRUE(static_cast<ast::InsertStmt&>(*s->with[1].dml).returning.empty());
  EXPECT_FALSE(s->with[2].dml);
  EXPECT_TRUE(s->with[2].query);
  ASSERT_TRUE(s->with[3].dml);
  EXPECT_EQ(s->with[3].dml->kind, StmtKind::Update);
  EXPECT_TRUE(ast::has_data_modifying_with(*s));
  auto plain = parse_one<ast::SelectStmt>("WITH q AS (SELECT 1) SELECT * FROM q");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(ast::has_data_modifying_with(*plain));
}

// OVER clauses and the WINDOW clause: PostgreSQL's WindowDef, frame options as its grammar sets them.
TEST(ParserSelect, WindowFunctions) {
  auto s = parse_one<ast::SelectStmt>(
      "SELECT sum(a) OVER (PARTITION BY b ORDER BY c DESC ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), "
      "row_number() OVER w, rank() OVER (w ORDER BY a), count(*) OVER () FROM t "
      "WINDOW w AS (PARTITION BY b), v AS (w)");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  ASSERT_EQ(s->targets.size(), 4u);
  const ast::WindowDef* w0 = s->targets[0].expr->over.get();
  ASSERT_TRUE(w0);
  EXPECT_EQ(w0->partition_by.size(), 1u);
  ASSERT_EQ(w0->order_by.size(), 1u);
  EXPECT_TRUE(w0->order_by[0].descending);
  EXPECT_EQ(w0->frame_options, ast::kFrameNonDefault | ast::kFrameRows | ast::kFrameBetween |
                                   ast::kFrameStartOffsetPreceding | ast::kFrameEndOffsetFollowing);
  ASSERT_TRUE(w0->start_offset && w0->end_offset);
  EXPECT_EQ(w0->start_offset->value.as_int(), 2);
  const ast::WindowDef* w1 = s->targets[1].expr->over.get();
  ASSERT_TRUE(w1);
  EXPECT_TRUE(w1->bare_ref);
  EXPECT_EQ(w1->refname, "w");
  const ast::WindowDef* w2 = s->targets[2].expr->over.get();
  ASSERT_TRUE(w2);
  EXPECT_FALSE(w2->bare_ref);
  EXPECT_EQ(w2->refname, "w");
  EXPECT_EQ(w2->order_by.size(), 1u);
  const ast::WindowDef* w3 = s->targets[3].expr->over.get();
  ASSERT_TRUE(w3);
  EXPECT_EQ(w3->frame_options, ast::kFrameDefaults);
  EXPECT_TRUE(s->targets[3].expr->agg_star);
  ASSERT_EQ(s->windows.size(), 2u);
  EXPECT_EQ(s->windows[0].name, "w");
  EXPECT_EQ(s->windows[1].name, "v");
  EXPECT_EQ(s->windows[1].refname, "w");
  EXPECT_FALSE(s->targets[0].expr->over == nullptr);
  auto plain = parse_one<ast::SelectStmt>("SELECT sum(a) FROM t");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->targets[0].expr->over);
}

TEST(ParserSelect, LockingClauses) {
  using L = ast::LockingClause;
  auto s = parse_one<ast::SelectStmt>("SELECT a FROM t FOR UPDATE");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  ASSERT_EQ(s->locking.size(), 1u);
  EXPECT_EQ(s->locking[0].strength, L::Strength::Update);
  EXPECT_EQ(s->locking[0].wait, L::Wait::Block);
  EXPECT_TRUE(s->locking[0].of.empty());
  s = parse_one<ast::SelectStmt>("SELECT a FROM t x FOR NO KEY UPDATE OF x SKIP LOCKED FOR KEY SHARE NOWAIT");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->locking.size(), 2u);
  EXPECT_EQ(s->locking[0].strength, L::Strength::NoKeyUpdate);
  EXPECT_EQ(s->locking[0].wait, L::Wait::Skip);
  EXPECT_EQ(s->locking[0].of, (std::vector<std::string>{"x"}));
  EXPECT_EQ(s->locking[1].strength, L::Strength::KeyShare);
  EXPECT_EQ(s->locking[1].wait, L::Wait::Error);
  s = parse_one<ast::SelectStmt>("SELECT a FROM t FOR SHARE");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->locking.size(), 1u);
  EXPECT_EQ(s->locking[0].strength, L::Strength::Share);
}

// ------------------------------------------------------------------ INSERT / UPDATE / DELETE

TEST(ParserInsert, ValuesWithColumnsAndDefault) {
  auto s = parse_one<ast::InsertStmt>("INSERT INTO Items (id, \"Name\") VALUES (1, 'a'), (-2, DEFAULT)");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  EXPECT_EQ(s->table.name, "items");
  EXPECT_EQ(s->columns, (std::vector<std::string>{"id", "Name"}));
  EXPECT_FALSE(s->select);
  ASSERT_EQ(s->rows.size(), 2u);
  ASSERT_EQ(s->rows[0].size(), 2u);
  EXPECT_EQ(s->rows[0][0]->value.as_int(), 1);
  EXPECT_EQ(s->rows[0][1]->value.as_text(), "a");
  ASSERT_EQ(s->rows[1].size(), 2u);
  ASSERT_TRUE(s->rows[1][0]);
  EXPECT_EQ(s->rows[1][0]->value.as_int(), -2);
  EXPECT_EQ(s->rows[1][1], nullptr);  // DEFAULT
}

TEST(ParserInsert, NoColumnListAndParams) {
  auto s = parse_one<ast::InsertStmt>("INSERT INTO s.t VALUES ($1, $2)");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->table.schema, "s");
  EXPECT_EQ(s->table.name, "t");
  EXPECT_TRUE(s->columns.empty());
  ASSERT_EQ(s->rows.size(), 1u);
  EXPECT_EQ(s->rows[0][1]->kind, ExprKind::Param);
  EXPECT_EQ(s->rows[0][1]->param_number, 2);
}

TEST(ParserInsert, InsertSelect) {
  auto s = parse_one<ast::InsertStmt>("INSERT INTO t (a) SELECT b FROM u WHERE b > 0");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->rows.empty());
  ASSERT_TRUE(s->select);
  ASSERT_EQ(s->select->from.size(), 1u);
  EXPECT_EQ(s->select->from[0]->table.name, "u");
  EXPECT_TRUE(s->select->where);
}

TEST(ParserInsert, UnsupportedFeatures) {
  struct Case {
    const char* sql;
    const char* feature;
  } cases[] = {
      {"INSERT INTO t VALUES (1) ON CONFLICT ((a + 1)) DO NOTHING", "ON CONFLICT on an expression"},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::InsertStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_EQ(s->unsupported_feature, c.feature) << c.sql;
  }
  auto w = parse_one<ast::InsertStmt>("WITH RECURSIVE x AS (SELECT 1) INSERT INTO t SELECT * FROM x");
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->unsupported_feature.empty());
  ASSERT_EQ(w->with.size(), 1u);
  EXPECT_EQ(w->with[0].name, "x");
  EXPECT_TRUE(w->with_recursive);
  auto d = parse_one<ast::InsertStmt>("INSERT INTO t DEFAULT VALUES");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->unsupported_feature.empty());
  EXPECT_TRUE(d->rows.empty() && !d->select);
}

TEST(ParserInsert, OnConflict) {
  auto s = parse_one<ast::InsertStmt>(
      "INSERT INTO t AS x VALUES (1, 2) ON CONFLICT (b, a) WHERE a > 0 DO UPDATE SET c = excluded.c, d = "
      "DEFAULT "
      "WHERE x.c < 3");
  ASSERT_TRUE(s && s->on_conflict);
  const ast::OnConflict& oc = *s->on_conflict;
  EXPECT_TRUE(oc.do_update);
  EXPECT_EQ(oc.target_columns, (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(oc.target_where);
  ASSERT_EQ(oc.assignments.size(), 2u);
  EXPECT_EQ(oc.assignments[0].first, "c");
  EXPECT_TRUE(oc.assignments[0].second);
  EXPECT_EQ(oc.assignments[1].first, "d");
  EXPECT_EQ(oc.assignments[1].second, nullptr);  // DEFAULT
  EXPECT_TRUE(oc.where);
  auto n = parse_one<ast::InsertStmt>("INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING");
  ASSERT_TRUE(n && n->on_conflict);
  EXPECT_FALSE(n->on_conflict->do_update);
  EXPECT_EQ(n->on_conflict->constraint, "t_pkey");
  EXPECT_TRUE(n->on_conflict->target_columns.empty());
}

TEST(ParserUpdate, AssignmentsAndWhere) {
  auto s = parse_one<ast::UpdateStmt>("UPDATE t SET a = a + 1, b = 'x' WHERE id = $1");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  EXPECT_EQ(s->table.name, "t");
  ASSERT_EQ(s->assignments.size(), 2u);
  EXPECT_EQ(s->assignments[0].first, "a");
  EXPECT_EQ(s->assignments[0].second->binary_op, ast::BinaryOp::Add);
  EXPECT_EQ(s->assignments[1].first, "b");
  ASSERT_TRUE(s->where);
  EXPECT_EQ(s->where->args[1]->kind, ExprKind::Param);
}

TEST(ParserUpdate, FromAndWith) {
  auto s = parse_one<ast::UpdateStmt>(
      "WITH x AS (SELECT 1) UPDATE t SET a = u.b FROM u, v JOIN w ON true WHERE t.id = u.id");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty());
  ASSERT_EQ(s->from.size(), 2u);
  EXPECT_EQ(s->from[0]->table.name, "u");
  EXPECT_TRUE(s->from[1]->is_join);
  ASSERT_EQ(s->with.size(), 1u);
  EXPECT_EQ(s->with[0].name, "x");
  EXPECT_FALSE(s->with_recursive);
}

TEST(ParserUpdate, UnsupportedFeatures) {
  struct Case {
    const char* sql;
    const char* feature;
  } cases[] = {
      {"UPDATE t SET (a, b) = (1, 2)", "multiple-column assignment"},
      {"UPDATE t SET a = 1 WHERE CURRENT OF c", "WHERE CURRENT OF"},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::UpdateStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_EQ(s->unsupported_feature, c.feature) << c.sql;
  }
}

TEST(ParserDelete, WhereAndUnsupported) {
  auto s = parse_one<ast::DeleteStmt>("DELETE FROM t WHERE a IS NULL");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->table.name, "t");
  ASSERT_TRUE(s->where);
  EXPECT_EQ(s->where->kind, ExprKind::IsNull);
  EXPECT_TRUE(s->unsupported_feature.empty());

  auto all = parse_one<ast::DeleteStmt>("DELETE FROM t");
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->where);

  auto u = parse_one<ast::DeleteStmt>("WITH x AS (SELECT 1) DELETE FROM t USING u, x WHERE t.a = u.a");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->unsupported_feature.empty());
  ASSERT_EQ(u->using_items.size(), 2u);
  EXPECT_EQ(u->using_items[1]->table.name, "x");
  ASSERT_EQ(u->with.size(), 1u);
  auto r = parse_one<ast::DeleteStmt>("DELETE FROM t RETURNING *, a + 1 AS b");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->unsupported_feature.empty());
  ASSERT_EQ(r->returning.size(), 2u);
  EXPECT_EQ(r->returning[0].expr->kind, ExprKind::Star);
  EXPECT_EQ(r->returning[1].alias, "b");
}

TEST(ParserReturning, InsertAndUpdate) {
  auto i = parse_one<ast::InsertStmt>("INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1) RETURNING a");
  ASSERT_TRUE(i);
  EXPECT_TRUE(i->unsupported_feature.empty());
  EXPECT_TRUE(i->overriding_system);
  EXPECT_FALSE(i->overriding_user);
  ASSERT_EQ(i->returning.size(), 1u);
  auto u = parse_one<ast::UpdateStmt>("UPDATE t SET a = 1 RETURNING a, b");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->unsupported_feature.empty());
  EXPECT_EQ(u->returning.size(), 2u);
}

TEST(ParserSequence, CreateAlterDropAndIdentity) {
  auto c = parse_one<ast::SequenceStmt>(
      "CREATE SEQUENCE IF NOT EXISTS s AS smallint INCREMENT BY -2 NO MINVALUE MAXVALUE 10 START 5 CACHE 3 "
      "CYCLE OWNED BY t.c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, ast::StmtKind::CreateSequence);
  EXPECT_TRUE(c->if_not_exists);
  EXPECT_EQ(c->sequence.name, "s");
  ASSERT_EQ(c->options.size(), 8u);
  EXPECT_EQ(c->options[0].name, "as");
  EXPECT_EQ(c->options[0].value, "int2");
  EXPECT_EQ(c->options[1].value, "-2");
  EXPECT_EQ(c->options[2].name, "minvalue");
  EXPECT_FALSE(c->options[2].has_arg);
  EXPECT_EQ(c->options[6].name, "cycle");
  EXPECT_TRUE(c->options[6].flag);
  EXPECT_EQ(c->options[7].list, (std::vector<std::string>{"t", "c"}));
  auto a = parse_one<ast::SequenceStmt>("ALTER SEQUENCE IF EXISTS s RESTART");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, ast::StmtKind::AlterSequence);
  EXPECT_TRUE(a->missing_ok);
  ASSERT_EQ(a->options.size(), 1u);
  EXPECT_FALSE(a->options[0].has_arg);
  auto d = parse_one<ast::DropTableStmt>("DROP SEQUENCE IF EXISTS a, b");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->sequence);
  EXPECT_EQ(d->tables.size(), 2u);
  auto t = parse_one<ast::CreateTableStmt>("CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY (START 3))");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->unsupported_feature.empty());
  EXPECT_EQ(t->columns[0].identity, 'a');
  ASSERT_EQ(t->columns[0].identity_options.size(), 1u);
  EXPECT_EQ(t->columns[0].identity_options[0].value, "3");
}

// ------------------------------------------------------------------ DDL

TEST(ParserCreateTable, ColumnsAndInlineConstraints) {
  auto s = parse_one<ast::CreateTableStmt>(
      "CREATE TABLE IF NOT EXISTS Users (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
      "score DOUBLE PRECISION DEFAULT -1.5, active BOOLEAN NULL, email TEXT UNIQUE, n INTEGER, "
      "r REAL, s SMALLINT, f FLOAT, tags TEXT[])");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty()) << s->unsupported_feature;
  EXPECT_TRUE(s->if_not_exists);
  EXPECT_EQ(s->table.name, "users");
  ASSERT_EQ(s->columns.size(), 10u);
  EXPECT_EQ(s->columns[0].name, "id");
  EXPECT_EQ(s->columns[0].type.name, "int8");
  EXPECT_TRUE(s->columns[0].primary_key);
  EXPECT_EQ(s->columns[1].type.name, "varchar");
  EXPECT_EQ(s->columns[1].type.typmods, (std::vector<int>{40}));
  EXPECT_TRUE(s->columns[1].not_null);
  EXPECT_FALSE(s->columns[1].primary_key);
  EXPECT_EQ(s->columns[2].type.name, "float8");
  ASSERT_TRUE(s->columns[2].default_expr);
  EXPECT_EQ(s->columns[2].default_expr->value.to_string(), "-1.5");  // a numeric literal
  EXPECT_EQ(s->columns[3].type.name, "bool");
  EXPECT_FALSE(s->columns[3].not_null);
  EXPECT_TRUE(s->columns[4].unique);
  ASSERT_EQ(s->uniques.size(), 1u);  // the column-level UNIQUE as a constraint on (email)
  EXPECT_EQ(s->uniques[0].columns, std::vector<std::string>{"email"});
  EXPECT_EQ(s->uniques[0].name, "");
  EXPECT_EQ(s->columns[5].type.name, "int4");
  EXPECT_EQ(s->columns[6].type.name, "float4");
  EXPECT_EQ(s->columns[7].type.name, "int2");
  EXPECT_EQ(s->columns[8].type.name, "float8");
  EXPECT_EQ(s->columns[9].type.name, "text");
  EXPECT_TRUE(s->columns[9].type.is_array);
  EXPECT_TRUE(s->primary_key.empty());
}

TEST(ParserCreateTable, TableLevelPrimaryKey) {
  auto s = parse_one<ast::CreateTableStmt>("CREATE TABLE t (a int, b int, PRIMARY KEY (a, b))");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->if_not_exists);
  EXPECT_TRUE(s->unsupported_feature.empty());
  EXPECT_EQ(s->primary_key, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(s->columns[0].primary_key);
}

TEST(ParserCreateTable, ConflictingNullDeclarationsAreSyntaxErrors) {
  EXPECT_EQ(parse_error("CREATE TABLE t (a int NULL NOT NULL)").state(), SqlState::SyntaxError);
}

// CREATE TABLE ... AS and SELECT ... INTO are one statement: the table, and INSERT INTO it the query.
TEST(ParserCreateTable, CreateTableAsAndSelectInto) {
  auto ctas =
      parse_one<ast::CreateTableStmt>("CREATE TEMP TABLE IF NOT EXISTS t (x, y) AS SELECT a, b, c FROM u");
  ASSERT_TRUE(ctas);
  EXPECT_TRUE(ctas->temporary);
  EXPECT_TRUE(ctas->if_not_exists);
  EXPECT_FALSE(ctas->select_into);
  EXPECT_EQ(ctas->as_columns, (std::vector<std::string>{"x", "y"}));
  ASSERT_TRUE(ctas->as_query && ctas->as_query->select);
  EXPECT_EQ(ctas->as_query->table.name, "t");
  EXPECT_EQ(ctas->as_query->select->targets.size(), 3u);
  EXPECT_TRUE(ctas->unsupported_feature.empty());
  auto no_data = parse_one<ast::CreateTableStmt>("CREATE TABLE t AS SELECT 1 WITH NO DATA");
  ASSERT_TRUE(no_data);
  EXPECT_TRUE(no_data->with_no_data);
  auto into = parse_one<ast::CreateTableStmt>("SELECT a INTO u FROM t UNION SELECT 2");
  ASSERT_TRUE(into);
  EXPECT_TRUE(into->select_into);
  EXPECT_EQ(into->table.name, "u");
  ASSERT_TRUE(into->as_query && into->as_query->select);
  EXPECT_TRUE(into->as_query->select->unsupported_feature.empty());
  // INTO anywhere else: PostgreSQL's 42601.
  EXPECT_EQ(parse_error("SELECT * FROM (SELECT 1 INTO u) s").state(), SqlState::SyntaxError);
  EXPECT_EQ(parse_error("SELECT 1 UNION SELECT 2 INTO u").state(), SqlState::SyntaxError);
}

TEST(ParserCreateTable, UnsupportedFeatures) {
  struct Case {
    const char* sql;
    const char* feature;
  } cases[] = {
      {"CREATE TABLE t (a int CHECK (a > 0) DEFERRABLE)", "DEFERRABLE constraints"},
      {"CREATE TABLE t (a int REFERENCES u (id) MATCH FULL)", "MATCH FULL"},
      {"CREATE TABLE t (a int, FOREIGN KEY (a) REFERENCES u (id) DEFERRABLE INITIALLY DEFERRED)",
       "DEFERRABLE constraints"},
      {"CREATE TABLE t (a int, UNIQUE (a) INCLUDE (a))", "UNIQUE index options"},
      {"CREATE TABLE t (a int, EXCLUDE USING gist (a WITH =))", "EXCLUDE constraints"},
      {"CREATE UNLOGGED TABLE t (a int)", "UNLOGGED tables"},
      {"CREATE TABLE t (a int) INHERITS (u)", "INHERITS"},
      {"CREATE TABLE t (a int) PARTITION BY RANGE (a)", "PARTITION BY"},
      {"CREATE TABLE t (LIKE u)", "CREATE TABLE ... LIKE"},
      {"CREATE UNLOGGED TABLE t AS SELECT 1", "UNLOGGED tables"},
      {"CREATE TABLE t AS EXECUTE p", "CREATE TABLE AS EXECUTE"},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::CreateTableStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_EQ(s->unsupported_feature, c.feature) << c.sql;
  }
}

TEST(ParserCreateTable, TemporaryTables) {
  auto plain = parse_one<ast::CreateTableStmt>("CREATE TABLE t (a int)");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->temporary);
  EXPECT_EQ(plain->on_commit, 0);
  struct Case {
    const char* sql;
    char on_commit;
  } cases[] = {
      {"CREATE TEMP TABLE t (a int)", 0},
      {"CREATE TEMPORARY TABLE t (a int) ON COMMIT PRESERVE ROWS", 'p'},
      {"CREATE LOCAL TEMP TABLE t (a int) ON COMMIT DELETE ROWS", 'd'},
      {"CREATE TEMP TABLE t (a int) ON COMMIT DROP", 'D'},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::CreateTableStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_TRUE(s->temporary) << c.sql;
    EXPECT_EQ(s->on_commit, c.on_commit) << c.sql;
    EXPECT_EQ(s->unsupported_feature, "") << c.sql;
  }
  auto seq = parse_one<ast::SequenceStmt>("CREATE TEMP SEQUENCE s");
  ASSERT_TRUE(seq);
  EXPECT_TRUE(seq->temporary);
  EXPECT_EQ(seq->unsupported_feature, "");
}

TEST(ParserCreateTable, CheckAndForeignKeyConstraints) {
  auto s = parse_one<ast::CreateTableStmt>(
      "CREATE TABLE t (a int CHECK (a > 0) REFERENCES u, b int, CONSTRAINT c CHECK (a < b), "
      "FOREIGN KEY (a, b) REFERENCES v (x, y) ON DELETE RESTRICT ON UPDATE CASCADE)");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->unsupported_feature.empty()) << s->unsupported_feature;
  ASSERT_EQ(s->checks.size(), 2u);
  EXPECT_EQ(s->checks[0].name, "");
  EXPECT_EQ(s->checks[0].text, "a > 0");
  EXPECT_EQ(s->checks[1].name, "c");
  ASSERT_EQ(s->foreign_keys.size(), 2u);
  EXPECT_EQ(s->foreign_keys[0].columns, (std::vector<std::string>{"a"}));
  EXPECT_EQ(s->foreign_keys[0].ref_table.name, "u");
  EXPECT_TRUE(s->foreign_keys[0].ref_columns.empty());
  EXPECT_EQ(s->foreign_keys[0].on_delete, 'a');
  EXPECT_EQ(s->foreign_keys[1].columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s->foreign_keys[1].ref_columns, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s->foreign_keys[1].on_delete, 'r');
  EXPECT_EQ(s->foreign_keys[1].on_update, 'c');
}

// Stored expression texts (CHECK, DEFAULT, view queries) keep the parentheses a loosely binding operand
// needs: libpg_query 15's deparser wrote (c AND b) IS NOT TRUE as `c AND b IS NOT TRUE`, which parses as
// c AND (b IS NOT TRUE).
TEST(ParserCreateTable, StoredTextsKeepNeededParentheses) {
  auto s = parse_one<ast::CreateTableStmt>(
      "CREATE TABLE t (a bool, b bool, c bool DEFAULT (true OR false)::text::bool, "
      "CHECK ((c AND b) IS NOT TRUE OR a), CHECK ((a IS NULL) IS NOT NULL), "
      "CHECK ((a OR b) IN (true) AND (NOT a)::int BETWEEN (a IS NULL)::int AND 1), "
      "CHECK (a IS DISTINCT FROM (b OR c) AND (a OR b) IS NOT DISTINCT FROM c AND (a = b) = c), "
      "CHECK ((b AND c) = ANY (SELECT a)), CHECK (NOT (a AND b) AND a + 1 IS NULL))");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->checks.size(), 6u);
  EXPECT_EQ(s->checks[0].text, "(c AND b) IS NOT TRUE OR a");
  EXPECT_EQ(s->checks[1].text, "(a IS NULL) IS NOT NULL");
  EXPECT_EQ(s->checks[2].text, "(a OR b) IN (true) AND (NOT a)::int BETWEEN (a IS NULL)::int AND 1");
  EXPECT_EQ(s->checks[3].text,
            "a IS DISTINCT FROM (b OR c) AND (a OR b) IS NOT DISTINCT FROM c AND (a = b) = c");
  EXPECT_EQ(s->checks[4].text, "(b AND c) = ANY (SELECT a)");
  EXPECT_EQ(s->checks[5].text, "NOT (a AND b) AND a + 1 IS NULL");  // as the deparser writes them
  ASSERT_EQ(s->columns.size(), 3u);
  EXPECT_EQ(s->columns[2].default_text, "(true OR false)::text::bool");
  auto v = parse_one<ast::CreateViewStmt>("CREATE VIEW v AS SELECT (a AND b) IS NULL AS x FROM t");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->query, "SELECT (a AND b) IS NULL AS x FROM t");
}

TEST(ParserDropTable, NamesIfExistsCascade) {
  auto s = parse_one<ast::DropTableStmt>("DROP TABLE IF EXISTS a, s.\"B\" CASCADE");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->if_exists);
  EXPECT_TRUE(s->cascade);
  ASSERT_EQ(s->tables.size(), 2u);
  EXPECT_EQ(s->tables[0].name, "a");
  EXPECT_EQ(s->tables[1].schema, "s");
  EXPECT_EQ(s->tables[1].name, "B");
  auto plain = parse_one<ast::DropTableStmt>("DROP TABLE t");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->if_exists);
  EXPECT_FALSE(plain->cascade);
}

TEST(ParserViews, CreateAndDropView) {
  auto v = parse_one<ast::CreateViewStmt>("CREATE OR REPLACE VIEW v (x, y) AS select a,b from t where a>1");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->replace);
  EXPECT_EQ(v->view.name, "v");
  ASSERT_EQ(v->columns.size(), 2u);
  EXPECT_EQ(v->columns[1], "y");
  EXPECT_EQ(v->query, "SELECT a, b FROM t WHERE a > 1");  // libpg_query's deparsed text
  EXPECT_TRUE(v->unsupported_feature.empty());
  auto checked = parse_one<ast::CreateViewStmt>("CREATE VIEW v AS SELECT a FROM t WITH CHECK OPTION");
  ASSERT_TRUE(checked);
  EXPECT_TRUE(checked->unsupported_feature.empty());
  EXPECT_EQ(checked->check_option, "cascaded");  // WITH CHECK OPTION is CASCADED, as in PostgreSQL
  auto local = parse_one<ast::CreateViewStmt>("CREATE VIEW v WITH (check_option = local) AS SELECT a FROM t");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->check_option, "local");
  auto options = parse_one<ast::CreateViewStmt>("CREATE VIEW v WITH (security_barrier) AS SELECT a FROM t");
  ASSERT_TRUE(options);
  EXPECT_FALSE(options->unsupported_feature.empty());
  auto temp = parse_one<ast::CreateViewStmt>("CREATE TEMP VIEW v AS SELECT 1");
  ASSERT_TRUE(temp);
  EXPECT_EQ(temp->unsupported_feature, "TEMPORARY views");
  auto d = parse_one<ast::DropTableStmt>("DROP VIEW IF EXISTS v, w CASCADE");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->view);
  EXPECT_TRUE(d->if_exists);
  EXPECT_TRUE(d->cascade);
  ASSERT_EQ(d->tables.size(), 2u);
}

TEST(ParserUnsupportedStatements, NamedAfterTheNode) {
  struct Case {
    const char* sql;
    const char* feature;
  } cases[] = {
      {"DROP MATERIALIZED VIEW v", "DROP MATERIALIZED VIEW"},
      {"CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "CREATE TRIGGER"},
      {"REFRESH MATERIALIZED VIEW mv", "REFRESH MATERIALIZED VIEW"},
      {"GRANT SELECT ON t TO bob", "GRANT"},
      {"CREATE MATERIALIZED VIEW mv AS SELECT 1", "CREATE MATERIALIZED VIEW"},
      {"CREATE DATABASE d", "CREATE DATABASE"},
      {"CREATE EXTENSION foo", "CREATE EXTENSION"},
      {"LISTEN ch", "LISTEN"},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::UnsupportedStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_EQ(s->feature, c.feature) << c.sql;
  }
}

TEST(ParserAlterTable, TruncateAndAlterTableParse) {
  auto t = parse_one<ast::TruncateStmt>("TRUNCATE TABLE a, b RESTART IDENTITY CASCADE");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->tables.size(), 2u);
  EXPECT_EQ(t->tables[1].name, "b");
  EXPECT_TRUE(t->restart_identity);
  EXPECT_TRUE(t->cascade);

  using K = ast::AlterTableCmd::Kind;
  auto a = parse_one<ast::AlterTableStmt>(
      "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 1, DROP COLUMN IF EXISTS d, "
      "ALTER COLUMN e SET DEFAULT 'x', ALTER e DROP DEFAULT, ALTER f SET NOT NULL, ALTER f DROP NOT NULL, "
      "ADD PRIMARY KEY (g, h), DROP CONSTRAINT t_pkey, ALTER COLUMN c TYPE bigint");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->if_exists);
  ASSERT_EQ(a->cmds.size(), 9u);
  EXPECT_EQ(a->cmds[0].kind, K::AddColumn);
  EXPECT_TRUE(a->cmds[0].if_not_exists);
  EXPECT_TRUE(a->cmds[0].column_def.not_null);
  EXPECT_EQ(a->cmds[0].column_def.default_text, "1");
  EXPECT_EQ(a->cmds[1].kind, K::DropColumn);
  EXPECT_TRUE(a->cmds[1].missing_ok);
  EXPECT_EQ(a->cmds[2].kind, K::SetDefault);
  EXPECT_EQ(a->cmds[3].kind, K::DropDefault);
  EXPECT_EQ(a->cmds[4].kind, K::SetNotNull);
  EXPECT_EQ(a->cmds[5].kind, K::DropNotNull);
  EXPECT_EQ(a->cmds[6].kind, K::AddPrimaryKey);
  EXPECT_EQ(a->cmds[6].keys, (std::vector<std::string>{"g", "h"}));
  EXPECT_EQ(a->cmds[7].kind, K::DropConstraint);
  EXPECT_EQ(a->cmds[7].constraint, "t_pkey");
  EXPECT_EQ(a->cmds[8].kind, K::AlterType);
  EXPECT_EQ(a->cmds[8].column, "c");
  EXPECT_EQ(a->cmds[8].column_def.type.name, "int8");
  EXPECT_FALSE(a->cmds[8].using_expr);

  auto ty = parse_one<ast::AlterTableStmt>(
      "ALTER TABLE t ALTER a SET DATA TYPE varchar(5) USING b || 'x', ALTER b TYPE text COLLATE \"C\"");
  ASSERT_TRUE(ty);
  ASSERT_EQ(ty->cmds.size(), 2u);
  EXPECT_EQ(ty->cmds[0].kind, K::AlterType);
  EXPECT_EQ(ty->cmds[0].column, "a");
  EXPECT_EQ(ty->cmds[0].column_def.type.typmods, (std::vector<int>{5}));
  ASSERT_TRUE(ty->cmds[0].using_expr);
  EXPECT_EQ(ty->cmds[1].kind, K::Unsupported);
  EXPECT_EQ(ty->cmds[1].feature, "ALTER TABLE ... ALTER COLUMN TYPE ... COLLATE");

  auto r = parse_one<ast::AlterTableStmt>("ALTER TABLE t RENAME COLUMN a TO b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cmds[0].kind, K::RenameColumn);
  EXPECT_EQ(r->cmds[0].new_name, "b");
  auto n = parse_one<ast::AlterTableStmt>("ALTER TABLE t RENAME TO u");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->cmds[0].kind, K::RenameTable);
  EXPECT_EQ(n->cmds[0].new_name, "u");
}

TEST(ParserCopy, TableColumnsOptionsAndLegacyForms) {
  auto c = parse_one<ast::CopyStmt>(
      "COPY t (a, \"B\") FROM STDIN WITH (FORMAT csv, HEADER match, FORCE_NULL (a))");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->table.name, "t");
  EXPECT_EQ(c->columns, (std::vector<std::string>{"a", "B"}));
  EXPECT_TRUE(c->is_from);
  EXPECT_TRUE(c->filename.empty());
  ASSERT_EQ(c->options.size(), 3u);
  EXPECT_EQ(c->options[0].name, "format");
  EXPECT_EQ(c->options[0].value, "csv");
  EXPECT_EQ(c->options[1].value, "match");
  EXPECT_EQ(c->options[2].arg, ast::CopyOption::Arg::List);
  EXPECT_EQ(c->options[2].list, (std::vector<std::string>{"a"}));
  // The legacy syntax becomes the same options, as in PostgreSQL's grammar.
  auto legacy = parse_one<ast::CopyStmt>("COPY t TO STDOUT WITH CSV HEADER FORCE QUOTE *");
  ASSERT_TRUE(legacy);
  EXPECT_FALSE(legacy->is_from);
  ASSERT_EQ(legacy->options.size(), 3u);
  EXPECT_EQ(legacy->options[0].name, "format");
  EXPECT_EQ(legacy->options[1].name, "header");
  EXPECT_EQ(legacy->options[2].name, "force_quote");
  EXPECT_EQ(legacy->options[2].arg, ast::CopyOption::Arg::Star);
  auto query = parse_one<ast::CopyStmt>("COPY (SELECT 1) TO STDOUT");
  ASSERT_TRUE(query && query->query);
  EXPECT_EQ(query->query->kind, ast::StmtKind::Select);
  auto file = parse_one<ast::CopyStmt>("COPY t FROM '/etc/passwd'");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->filename, "/etc/passwd");
}

TEST(ParserVacuum, TablesAndOptions) {
  auto v = parse_one<ast::VacuumStmt>("VACUUM t");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->tables.size(), 1u);
  EXPECT_EQ(v->tables[0].name, "t");
  EXPECT_FALSE(v->verbose);
  v = parse_one<ast::VacuumStmt>("VACUUM (VERBOSE, ANALYZE) a, b");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->tables.size(), 2u);
  EXPECT_EQ(v->tables[1].name, "b");
  EXPECT_TRUE(v->verbose);
  EXPECT_EQ(v->options, (std::vector<std::string>{"verbose", "analyze"}));
  v = parse_one<ast::VacuumStmt>("VACUUM");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->tables.empty());
}

TEST(ParserVacuum, AnalyzeAndColumnLists) {
  auto v = parse_one<ast::VacuumStmt>("ANALYZE (VERBOSE) t (a, b), u");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->vacuum);
  EXPECT_TRUE(v->analyze);
  EXPECT_TRUE(v->verbose);
  ASSERT_EQ(v->tables.size(), 2u);
  EXPECT_EQ(v->columns, (std::vector<std::vector<std::string>>{{"a", "b"}, {}}));
  v = parse_one<ast::VacuumStmt>("VACUUM (ANALYZE) t (a)");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->vacuum);
  EXPECT_TRUE(v->analyze);
  v = parse_one<ast::VacuumStmt>("VACUUM t");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->analyze);
  // PostgreSQL 15's errors: a column list needs ANALYZE; ANALYZE takes VERBOSE and SKIP_LOCKED only
  EXPECT_EQ(parse_error("VACUUM t (a)").state(), SqlState::FeatureNotSupported);
  EXPECT_EQ(parse_error("ANALYZE (FULL) t").state(), SqlState::SyntaxError);
}

TEST(ParserPreparedStatements, PrepareExecuteDeallocateDiscard) {
  auto p = parse_one<ast::PrepareStmt>("PREPARE q (int, varchar(5)) AS SELECT $1, $2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "q");
  ASSERT_EQ(p->param_types.size(), 2u);
  EXPECT_EQ(p->param_types[0].name, "int4");
  EXPECT_EQ(p->param_types[1].name, "varchar");
  ASSERT_TRUE(p->stmt);
  EXPECT_EQ(p->stmt->kind, ast::StmtKind::Select);

  auto e = parse_one<ast::ExecuteStmt>("EXECUTE q (1, 'x' || 'y')");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "q");
  ASSERT_EQ(e->args.size(), 2u);
  EXPECT_EQ(e->args[1]->kind, ast::ExprKind::Binary);

  auto d = parse_one<ast::DeallocateStmt>("DEALLOCATE PREPARE q");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "q");
  EXPECT_FALSE(d->all);
  auto all = parse_one<ast::DeallocateStmt>("DEALLOCATE ALL");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->all);

  auto x = parse_one<ast::DiscardStmt>("DISCARD ALL");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->target, "ALL");
}

// ------------------------------------------------------------------ EXPLAIN / transactions / SET / SHOW

TEST(ParserExplain, OptionsAndNestedStatement) {
  auto s = parse_one<ast::ExplainStmt>("EXPLAIN SELECT a FROM t");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->codegen);
  EXPECT_FALSE(s->analyze);
  EXPECT_TRUE(s->unknown_options.empty());
  ASSERT_TRUE(s->stmt);
  ASSERT_EQ(s->stmt->kind, StmtKind::Select);
  EXPECT_EQ(static_cast<ast::SelectStmt&>(*s->stmt).from[0]->table.name, "t");

  auto a = parse_one<ast::ExplainStmt>("EXPLAIN ANALYZE SELECT 1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->analyze);
  EXPECT_FALSE(a->codegen);
  EXPECT_TRUE(a->summary);

  auto summary = parse_one<ast::ExplainStmt>("EXPLAIN (ANALYZE, SUMMARY off) SELECT 1");
  ASSERT_TRUE(summary);
  EXPECT_TRUE(summary->analyze);
  EXPECT_FALSE(summary->summary);
  EXPECT_TRUE(summary->unknown_options.empty());

  auto c = parse_one<ast::ExplainStmt>(
      "EXPLAIN (CODEGEN, ANALYZE false, VERBOSE, FORMAT json, COSTS off) "
      "INSERT INTO t VALUES (1)");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->codegen);
  EXPECT_FALSE(c->analyze);
  EXPECT_EQ(c->unknown_options, (std::vector<std::string>{"verbose", "format", "costs"}));
  ASSERT_TRUE(c->stmt);
  EXPECT_EQ(c->stmt->kind, StmtKind::Insert);

  auto v = parse_one<ast::ExplainStmt>("EXPLAIN ANALYZE VERBOSE SELECT 1");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->analyze);
  EXPECT_EQ(v->unknown_options, (std::vector<std::string>{"verbose"}));
}

TEST(ParserTransaction, Kinds) {
  struct Case {
    const char* sql;
    ast::TransactionKind kind;
  } cases[] = {
      {"BEGIN", ast::TransactionKind::Begin},
      {"START TRANSACTION", ast::TransactionKind::Begin},
      {"BEGIN ISOLATION LEVEL SERIALIZABLE", ast::TransactionKind::Begin},
      {"COMMIT", ast::TransactionKind::Commit},
      {"END", ast::TransactionKind::Commit},
      {"ROLLBACK", ast::TransactionKind::Rollback},
      {"ABORT", ast::TransactionKind::Rollback},
      {"SAVEPOINT sp", ast::TransactionKind::Savepoint},
      {"RELEASE SAVEPOINT sp", ast::TransactionKind::Release},
      {"ROLLBACK TO SAVEPOINT sp", ast::TransactionKind::RollbackToSavepoint},
      {"PREPARE TRANSACTION 'x'", ast::TransactionKind::Other},
  };
  for (const auto& c : cases) {
    auto s = parse_one<ast::TransactionStmt>(c.sql);
    ASSERT_TRUE(s) << c.sql;
    EXPECT_EQ(s->txn_kind, c.kind) << c.sql;
  }
}

TEST(ParserSchema, CreateDropRename) {
  auto c = parse_one<ast::SchemaStmt>("CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION bob");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->action, ast::SchemaStmt::Action::Create);
  EXPECT_EQ(c->names, std::vector<std::string>{"s"});
  EXPECT_EQ(c->role, std::optional<std::string>("bob"));
  EXPECT_TRUE(c->if_exists);
  auto a = parse_one<ast::SchemaStmt>("CREATE SCHEMA AUTHORIZATION bob");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->names.empty());
  auto d = parse_one<ast::SchemaStmt>("DROP SCHEMA IF EXISTS a, \"B\" CASCADE");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->action, ast::SchemaStmt::Action::Drop);
  EXPECT_EQ(d->names, (std::vector<std::string>{"a", "B"}));
  EXPECT_TRUE(d->if_exists);
  EXPECT_TRUE(d->cascade);
  auto r = parse_one<ast::SchemaStmt>("ALTER SCHEMA a RENAME TO b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, ast::SchemaStmt::Action::Rename);
  EXPECT_EQ(r->new_name, "b");
  auto p = parse_one<ast::SetStmt>("SET search_path TO a, \"B c\", '$user', 3");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, "a, \"B c\", \"$user\", 3");
}

TEST(ParserSet, ValuesResetAndDefault) {
  auto s = parse_one<ast::SetStmt>("SET search_path TO a, 'b', 1.5, 3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "search_path");
  EXPECT_EQ(s->value, "a, b, 1.5, 3");
  EXPECT_FALSE(s->reset);

  auto e = parse_one<ast::SetStmt>("SET extra_float_digits = -2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "-2");

  auto tz = parse_one<ast::SetStmt>("SET TIME ZONE 'UTC'");
  ASSERT_TRUE(tz);
  EXPECT_EQ(tz->name, "timezone");
  EXPECT_EQ(tz->value, "UTC");

  auto d = parse_one<ast::SetStmt>("SET DateStyle TO DEFAULT");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "datestyle");
  EXPECT_TRUE(d->reset);
  EXPECT_TRUE(d->value.empty());

  auto r = parse_one<ast::SetStmt>("RESET work_mem");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "work_mem");
  EXPECT_TRUE(r->reset);

  auto all = parse_one<ast::SetStmt>("RESET ALL");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->name, "all");
  EXPECT_TRUE(all->reset);
  EXPECT_FALSE(r->transaction_only);

  auto local = parse_one<ast::SetStmt>("SET LOCAL work_mem = '4MB'");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->value, "4MB");
  EXPECT_TRUE(local->transaction_only);
}

TEST(ParserSet, TransactionModes) {
  auto txn = parse_one<ast::SetStmt>("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  ASSERT_TRUE(txn);
  EXPECT_EQ(txn->name, "transaction_isolation");
  EXPECT_EQ(txn->value, "serializable");
  EXPECT_TRUE(txn->transaction_only);
  EXPECT_FALSE(txn->reset);

  // Several modes: each a setting, applied in the order written.
  auto both = parse_one<ast::SetStmt>("SET TRANSACTION READ ONLY, ISOLATION LEVEL REPEATABLE READ");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->name, "transaction_read_only");
  EXPECT_EQ(both->value, "on");
  ASSERT_EQ(both->more_modes.size(), 1u);
  EXPECT_EQ(both->more_modes[0].first, "transaction_isolation");
  EXPECT_EQ(both->more_modes[0].second, "repeatable read");

  auto ro = parse_one<ast::SetStmt>("SET TRANSACTION READ ONLY");
  ASSERT_TRUE(ro);
  EXPECT_EQ(ro->name, "transaction_read_only");
  EXPECT_EQ(ro->value, "on");

  auto sess =
      parse_one<ast::SetStmt>("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED");
  ASSERT_TRUE(sess);
  EXPECT_EQ(sess->name, "default_transaction_isolation");
  EXPECT_EQ(sess->value, "read committed");
  EXPECT_FALSE(sess->transaction_only);
}

TEST(ParserTransaction, IsolationReadOnlyAndSavepointNames) {
  auto b = parse_one<ast::TransactionStmt>("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->txn_kind, ast::TransactionKind::Begin);
  EXPECT_EQ(b->isolation, "repeatable read");
  EXPECT_EQ(b->read_only, std::optional<bool>(true));

  auto rw = parse_one<ast::TransactionStmt>("START TRANSACTION READ WRITE");
  ASSERT_TRUE(rw);
  EXPECT_TRUE(rw->isolation.empty());
  EXPECT_EQ(rw->read_only, std::optional<bool>(false));  // READ WRITE, not the session's default
  auto plain = parse_one<ast::TransactionStmt>("BEGIN");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->read_only.has_value());

  auto sp = parse_one<ast::TransactionStmt>("SAVEPOINT \"Sp1\"");
  ASSERT_TRUE(sp);
  EXPECT_EQ(sp->savepoint_name, "Sp1");
  auto rb = parse_one<ast::TransactionStmt>("ROLLBACK TO SAVEPOINT sp2");
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->savepoint_name, "sp2");
  auto rel = parse_one<ast::TransactionStmt>("RELEASE sp3");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->savepoint_name, "sp3");
  auto c = parse_one<ast::TransactionStmt>("COMMIT");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->savepoint_name.empty());
}

TEST(ParserShow, Names) {
  auto s = parse_one<ast::ShowStmt>("SHOW server_version");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "server_version");
  auto all = parse_one<ast::ShowStmt>("SHOW ALL");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->name, "all");
  auto tz = parse_one<ast::ShowStmt>("SHOW TIME ZONE");
  ASSERT_TRUE(tz);
  EXPECT_EQ(tz->name, "timezone");
  auto iso = parse_one<ast::ShowStmt>("SHOW TRANSACTION ISOLATION LEVEL");
  ASSERT_TRUE(iso);
  EXPECT_EQ(iso->name, "transaction_isolation");
}

// ------------------------------------------------------------------ multi-statement strings, errors

TEST(ParserMulti, LocationsAndLengths) {
  const std::string sql = "SELECT 1;  INSERT INTO t VALUES (2) ;SELECT 3";
  auto stmts = parse(sql);
  ASSERT_EQ(stmts.size(), 3u);
  EXPECT_EQ(stmts[0]->kind, StmtKind::Select);
  EXPECT_EQ(stmts[1]->kind, StmtKind::Insert);
  EXPECT_EQ(stmts[2]->kind, StmtKind::Select);
  EXPECT_EQ(stmts[0]->location, 0);
  EXPECT_EQ(stmts[0]->length, 8);
  EXPECT_EQ(sql.substr(stmts[0]->location, stmts[0]->length), "SELECT 1");
  // Later statements start right after the previous ';' (leading whitespace included, as PostgreSQL does).
  EXPECT_EQ(stmts[1]->location, 9);
  EXPECT_EQ(sql.substr(stmts[1]->location, stmts[1]->length), "  INSERT INTO t VALUES (2) ");
  EXPECT_EQ(stmts[2]->location, 37);
  EXPECT_EQ(stmts[2]->length, 0);  // to the end
  EXPECT_EQ(sql.substr(stmts[2]->location), "SELECT 3");
  // Expression locations are offsets into the whole string.
  auto& third = static_cast<ast::SelectStmt&>(*stmts[2]);
  EXPECT_EQ(third.targets[0].expr->location, 44);
}

TEST(ParserMulti, EmptyInputs) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse(";").empty());
  EXPECT_TRUE(parse(" ; ;; ").empty());
  EXPECT_TRUE(parse("-- just a comment").empty());
  EXPECT_TRUE(parse("/* block */ ;").empty());
  EXPECT_EQ(parse("SELECT 1;;").size(), 1u);
}

TEST(ParserErrors, SyntaxErrorHasOneBasedPosition) {
  SqlError e = parse_error("SELECT * FORM t");
  EXPECT_EQ(e.state(), SqlState::SyntaxError);
  EXPECT_EQ(e.position(), 10);  // "FORM"
  EXPECT_NE(e.message().find("FORM"), std::string::npos);

  SqlError end = parse_error("SELECT (");
  EXPECT_EQ(end.state(), SqlState::SyntaxError);
  EXPECT_EQ(end.position(), 9);

  SqlError second = parse_error("SELECT 1; SELEC 2");
  EXPECT_EQ(second.state(), SqlState::SyntaxError);
  EXPECT_EQ(second.position(), 11);

  EXPECT_EQ(parse_error("SELECT 'unterminated").state(), SqlState::SyntaxError);
}

TEST(ParserErrors, DefaultOutsideValuesIsSyntaxError) {
  EXPECT_EQ(parse_error("SELECT DEFAULT").state(), SqlState::SyntaxError);
}

}  // namespace
}  // namespace omendb::parser::testing
