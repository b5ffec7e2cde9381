#include "storage/catalog.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstring>

#include "storage/key_codec.h"
#include "storage/store.h"
#include "test_util.h"

namespace omendb::storage {
namespace {

using testing::col;
using testing::sqlstate_of;
using testing::TempDir;
using testing::test_options;

TableDef users_def(std::string name = "users") {
  TableDef d;
  d.name = std::move(name);
  d.columns = {col("id", TypeId::Int64), col("name", TypeId::Text, true, 20), col("score", TypeId::Float64),
               col("active", TypeId::Bool), col("age", TypeId::Int32)};
  d.primary_key = {0};
  return d;
}

TEST(Catalog, CreateFindDrop) {
  TempDir dir;
  auto store = Store::open(test_options(dir));
  Catalog& cat = store->catalog();
  uint64_t v0 = cat.version();
  EXPECT_EQ(cat.find("users"), nullptr);
  TableDefPtr t = cat.create_table(users_def());
  ASSERT_NE(t, nullptr);
  EXPECT_GE(t->id, 1u);
  EXPECT_GT(cat.version(), v0);
  EXPECT_EQ(cat.find("users"), t);
  EXPECT_EQ(cat.find(t->id), t);
  EXPECT_EQ(t->find_column("score"), 2);
  EXPECT_EQ(t->find_column("nope"), -1);
  EXPECT_TRUE(t->columns[0].not_null);  // primary key columns are implicitly NOT NULL
  EXPECT_FALSE(t->has_hidden_rowid());
  ASSERT_EQ(cat.tables().size(), 1u);

  uint64_t v1 = cat.version();
  cat.drop_table("users");
  EXPECT_GT(cat.version(), v1);
  EXPECT_EQ(cat.find("users"), nullptr);
  EXPECT_EQ(cat.find(t->id), nullptr);
  EXPECT_TRUE(cat.tables().empty());
}

TEST(Catalog, DuplicateNameAndMissingTable) {
  TempDir dir;
  auto store = Store::open(test_options(dir));
  Catalog& cat = store->catalog();
  cat.create_table(users_def());
  SqlError err(SqlState::InternalError, "");
  EXPECT_EQ(sqlstate_of([&] { cat.create_table(users_def()); }, &err), "42P07");
  EXPECT_EQ(err.message(), "relation \"users\" already exists");
  EXPECT_EQ(sqlstate_of([&] { cat.drop_table("missing"); }, &err), "42P01");
  EXPECT_EQ(err.message(), "table \"missing\" does not exist");
  EXPECT_EQ(cat.tables().size(), 1u);
}

TEST(Catalog, PersistsAcrossReopenAndNeverReusesIds) {
  TempDir dir;
  uint32_t a_id, b_id;
  {
    auto store = Store::open(test_options(dir));
    a_id = store->catalog().create_table(users_def("a"))->id;
    TableDef b;
    b.name = "b";
    b.columns = {col("x", TypeId::Text, false, 5), col("y", TypeId::Int32, true)};
    b_id = store->catalog().create_table(b)->id;
    EXPECT_NE(a_id, b_id);
  }
  {
    auto store = Store::open(test_options(dir));
    Catalog& cat = store->catalog();
    TableDefPtr a = cat.find("a");
    TableDefPtr b = cat.find("b");
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->id, a_id);
    EXPECT_EQ(b->id, b_id);
    ASSERT_EQ(a->columns.size(), 5u);
    EXPECT_EQ(a->columns[1].name, "name");
    EXPECT_EQ(a->columns[1].type, TypeId::Text);
    EXPECT_TRUE(a->columns[1].not_null);
    EXPECT_EQ(a->columns[1].max_length, 20);
    EXPECT_EQ(a->columns[4].type, TypeId::Int32);
    EXPECT_EQ(a->primary_key, std::vector<int>{0});
    EXPECT_TRUE(b->has_hidden_rowid());
    EXPECT_EQ(b->columns[0].max_length, 5);
    EXPECT_TRUE(b->columns[1].not_null);
    // Drop the table with the highest id: its id must still not be reused, even after a restart.
    cat.drop_table("b");
  }
  {
    auto store = Store::open(test_options(dir));
    Catalog& cat = store->catalog();
    EXPECT_EQ(cat.find("b"), nullptr);
    ASSERT_NE(cat.find("a"), nullptr);
    TableDefPtr c = cat.create_table(users_def("b"));
    EXPECT_GT(c->id, b_id);
    EXPECT_EQ(cat.tables().size(), 2u);
  }
}

TEST(Catalog, ColumnDefaultsPersist) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    TableDef d = users_def("d");
    d.columns[2].default_expr = "1.5 * 2";
    d.columns[1].default_expr = "'it''s'";
    store->catalog().create_table(d);
  }
  auto store = Store::open(test_options(dir));
  TableDefPtr d = store->catalog().find("d");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->columns[0].default_expr, "");
  EXPECT_EQ(d->columns[1].default_expr, "'it''s'");
  EXPECT_EQ(d->columns[2].default_expr, "1.5 * 2");
}

// A primary key's own name (trailer 'K', written only when it is not <table>_pkey) survives a reopen; a
// table without one, as every entry written before the trailer existed, reads as <table>_pkey.
TEST(Catalog, PrimaryKeyNamesPersist) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    TableDef named = users_def("named");
    named.pkey_name = "named_key";
    store->catalog().create_table(named);
    TableDef plain = users_def("plain");
    plain.pkey_name = "plain_pkey";  // the default: no trailer
    store->catalog().create_table(plain);
    TableDef schema_and_key = users_def("sk");  // with another trailer after it
    schema_and_key.pkey_name = "sk_key";
    schema_and_key.options = {"fillfactor=70"};
    store->catalog().create_table(schema_and_key);
  }
  auto store = Store::open(test_options(dir));
  ASSERT_NE(store->catalog().find("named"), nullptr);
  EXPECT_EQ(store->catalog().find("named")->primary_key_name(), "named_key");
  EXPECT_EQ(store->catalog().find("plain")->pkey_name, "");
  EXPECT_EQ(store->catalog().find("plain")->primary_key_name(), "plain_pkey");
  EXPECT_EQ(store->catalog().find("sk")->primary_key_name(), "sk_key");
  EXPECT_EQ(store->catalog().find("sk")->options, std::vector<std::string>{"fillfactor=70"});
}

// An index's declared column order (DESC, NULLS FIRST: PostgreSQL's indoption) survives a reopen; an index
// without one writes no option bytes and reads back with none.
TEST(Catalog, IndexColumnOptionsPersist) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    TableDef d = users_def("ix");
    d.indexes.resize(2);
    d.indexes[0].id = store->catalog().allocate_id();
    d.indexes[0].name = "ix_desc";
    d.indexes[0].attnums = {3, 5, 2};
    d.indexes[0].options = {3, 0, 2};
    d.indexes[1].id = store->catalog().allocate_id();
    d.indexes[1].name = "ix_plain";
    d.indexes[1].attnums = {5};
    store->catalog().create_table(d);
  }
  auto store = Store::open(test_options(dir));
  TableDefPtr d = store->catalog().find("ix");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->indexes.size(), 2u);
  EXPECT_EQ(d->indexes[0].options, (std::vector<uint8_t>{3, 0, 2}));
  EXPECT_EQ(d->indexes[0].option(0), 3);
  EXPECT_EQ(d->indexes[0].option(2), 2);
  EXPECT_TRUE(d->indexes[1].options.empty());
  EXPECT_EQ(d->indexes[1].option(0), 0);
}

// COMMENT ON's comments (catalog format 10, sequence format 2) come back after a reopen, with the rest of
// the definition; a view's too (format 10 carries the view section behind a flag).
TEST(Catalog, CommentsPersist) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    TableDef d = users_def("cm");
    d.comment = "table";
    d.pkey_comment = "key";
    d.pkey_index_comment = "key index";
    d.columns[1].comment = "column";
    d.indexes.resize(1);
    d.indexes[0].id = store->catalog().allocate_id();
    d.indexes[0].name = "cm_ix";
    d.indexes[0].attnums = {2};
    d.indexes[0].comment = "index";
    store->catalog().create_table(d);
    TableDef v;
    v.name = "cm_v";
    v.columns.resize(1);
    v.columns[0].name = "id";
    v.columns[0].comment = "view column";
    auto view = std::make_shared<ViewDef>();
    view->query = "SELECT id FROM cm";
    v.view = view;
    v.comment = "view";
    store->catalog().create_table(v);
    SequenceDef s;
    s.name = "cm_s";
    s.comment = "sequence";
    store->catalog().create_sequence(s);
  }
  auto store = Store::open(test_options(dir));
  TableDefPtr d = store->catalog().find("cm");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->comment, "table");
  EXPECT_EQ(d->pkey_comment, "key");
  EXPECT_EQ(d->pkey_index_comment, "key index");
  EXPECT_EQ(d->columns[1].comment, "column");
  EXPECT_EQ(d->columns[0].comment, "");
  ASSERT_EQ(d->indexes.size(), 1u);
  EXPECT_EQ(d->indexes[0].comment, "index");
  TableDefPtr v = store->catalog().find("cm_v");
  ASSERT_NE(v, nullptr);
  ASSERT_TRUE(v->is_view());
  EXPECT_EQ(v->view->query, "SELECT id FROM cm");
  EXPECT_EQ(v->comment, "view");
  EXPECT_EQ(v->columns[0].comment, "view column");
  SequenceDefPtr s = store->catalog().find_sequence("cm_s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->comment, "sequence");
}

// A definition written in catalog format 1 (before column defaults) still loads, without defaults.
TEST(Catalog, ReadsFormatVersion1) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    std::string v1;
    auto u32 = [&](uint32_t x) {
      char b[4];
      std::memcpy(b, &x, 4);
      v1.append(b, 4);
    };
    auto str = [&](std::string_view x) {
      u32(static_cast<uint32_t>(x.size()));
      v1.append(x);
    };
    v1.push_back('\x01');  // format version 1
    u32(42);               // table id
    str("old");
    u32(2);  // columns: id bigint not null, name varchar(9)
    str("id");
    v1.push_back(static_cast<char>(TypeId::Int64));
    v1.push_back('\x01');
    u32(static_cast<uint32_t>(-1));
    str("name");
    v1.push_back(static_cast<char>(TypeId::Text));
    v1.push_back('\x00');
    u32(9);
    u32(1);  // primary key: column 0
    u32(0);
    std::string key("\0\0\0\0C", 5);
    keycodec::append_table_prefix(42, key);
    ASSERT_TRUE(store->db()->Put(rocksdb::WriteOptions(), key, v1).ok());
  }
  auto store = Store::open(test_options(dir));
  TableDefPtr t = store->catalog().find("old");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, 42u);
  ASSERT_EQ(t->columns.size(), 2u);
  EXPECT_EQ(t->columns[1].name, "name");
  EXPECT_EQ(t->columns[1].max_length, 9);
  EXPECT_TRUE(t->columns[0].default_expr.empty());
  EXPECT_EQ(t->primary_key, std::vector<int>{0});
}

// Storage parameters (TableDef::options: seal_after, docs/columnar.md "Sealing by age") persist in their
// trailer, beside a temporary table's; SET / RESET follow PostgreSQL's order; seal_after's values.
TEST(Catalog, StorageParametersPersist) {
  TempDir dir;
  {
    auto store = Store::open(test_options(dir));
    TableDef def = users_def("m");
    def.set_options({{"seal_after", "10 minutes"}, {"fillfactor", "70"}}, false);
    store->catalog().create_table(def);
    TableDef plain = users_def("plain");
    store->catalog().create_table(plain);
    auto txn = store->begin(IsolationLevel::ReadCommitted);
    txn->catalog_overlay().temp_namespace = 3;
    TableDef temp = users_def("tmp");
    temp.temp_namespace = 3;
    temp.set_options({{"seal_after", "off"}}, false);
    store->catalog().create_table(temp, {}, txn->catalog_overlay());
    txn->commit();
  }
  auto store = Store::open(test_options(dir));  // reads both trailers; drops the temporary table
  TableDefPtr m = store->catalog().find("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->options, (std::vector<std::string>{"seal_after=10 minutes", "fillfactor=70"}));
  EXPECT_EQ(m->option("seal_after"), "10 minutes");
  EXPECT_EQ(m->option("seal"), std::nullopt);
  EXPECT_TRUE(store->catalog().find("plain")->options.empty());
  EXPECT_EQ(store->catalog().find("tmp"), nullptr);
  TableDef def = *m;
  def.set_options({{"seal_after", "1 hour"}}, false);  // replaced, moved last (PostgreSQL's order)
  EXPECT_EQ(def.options, (std::vector<std::string>{"fillfactor=70", "seal_after=1 hour"}));
  def.set_options({{"fillfactor", ""}}, true);
  EXPECT_EQ(def.options, (std::vector<std::string>{"seal_after=1 hour"}));
  EXPECT_EQ(sqlstate_of([&] { def.set_options({{"seal_after", "soon"}}, false); }), "22023");
  EXPECT_EQ(def.options, (std::vector<std::string>{"seal_after=1 hour"}));

  EXPECT_EQ(parse_seal_after("10 minutes"), int64_t{600} * 1'000'000);
  EXPECT_EQ(parse_seal_after("1 second"), 1'000'000);
  EXPECT_EQ(parse_seal_after("90"), 90'000'000);  // a bare number is seconds, as interval input
  EXPECT_EQ(parse_seal_after("0"), 0);
  EXPECT_EQ(parse_seal_after("1 mon"), int64_t{30} * 86'400 * 1'000'000);
  EXPECT_EQ(parse_seal_after("OFF"), kSealAfterOff);
  for (const char* bad : {"", "soon", "-1 minute", "1 minute ago", "true"})
    EXPECT_EQ(sqlstate_of([&] { parse_seal_after(bad); }), "22023") << bad;
}

TEST(Catalog, DropRemovesRowsAndRecreatedTableIsEmpty) {
  TempDir dir;
  auto store = Store::open(test_options(dir));
  TableDefPtr t = store->catalog().create_table(users_def());
  {
    testing::AutoCommit stmt(*store);
    auto& w = stmt.w;
    std::string name = "n";
    for (int i = 0; i < 10; ++i) {
      Datum row[5] = {testing::int_datum(i), testing::text_datum(name), testing::null_datum(),
                      testing::null_datum(), testing::null_datum()};
      w->insert(*t, row);
    }
    stmt.commit();
  }
  EXPECT_GT(store->approximate_row_count(t->id), 0u);
  store->catalog().drop_table("users");
  // The old table's key range is empty.
  std::string key;
  keycodec::append_table_prefix(t->id, key);
  keycodec::append_int(3, key);
  EXPECT_FALSE(store->read_view()->exists(key));
  TableDefPtr t2 = store->catalog().create_table(users_def());
  ScanSpec spec;
  spec.table = t2;
  spec.columns = {true};
  auto view = store->read_view();
  auto cursor = view->scan(spec);
  EXPECT_EQ(cursor->next(), nullptr);
}

// Temporary tables (docs/schema.md, "Temporary tables"): found by name only through an overlay of their
// session, before a permanent table of the same name; a second session may have its own of the name; a
// reopen (a crash, or a shutdown with sessions open) deletes them with every key under them.
TEST(Catalog, TemporaryTablesAreSessionLocalAndPurgedAtOpen) {
  TempDir dir;
  uint32_t temp_id = 0, other_id = 0, seq_id = 0;
  {
    auto store = Store::open(test_options(dir));
    Catalog& cat = store->catalog();
    TableDefPtr perm = cat.create_table(users_def());
    auto create_temp = [&](uint32_t ns) {
      auto txn = store->begin(IsolationLevel::ReadCommitted);
      txn->catalog_overlay().temp_namespace = ns;
      TableDef def = users_def();
      def.temp_namespace = ns;
      SequenceDef seq;
      seq.name = "users_id_seq";
      seq.owner_attnum = 1;
      TableDefPtr t = cat.create_table(def, {seq}, txn->catalog_overlay());
      txn->commit();
      return t;
    };
    TableDefPtr temp = create_temp(5);
    TableDefPtr other = create_temp(6);  // another session's table of the same name
    temp_id = temp->id;
    other_id = other->id;
    CatalogOverlay s5, s6, s7;
    s5.temp_namespace = 5;
    s6.temp_namespace = 6;
    s7.temp_namespace = 7;
    EXPECT_EQ(cat.find("users"), perm);
    EXPECT_EQ(cat.find("users", &s5)->id, temp_id);
    EXPECT_EQ(cat.find("users", &s6)->id, other_id);
    EXPECT_EQ(cat.find("users", &s7), perm);
    EXPECT_EQ(cat.find("users", &s5, NameScope::Permanent), perm);
    EXPECT_EQ(cat.find("users", &s7, NameScope::Temporary), nullptr);
    EXPECT_EQ(cat.tables(&s5).size(), 2u);  // its own and the permanent one
    EXPECT_EQ(cat.tables(&s7).size(), 1u);
    ASSERT_NE(cat.find_sequence("users_id_seq", &s5), nullptr);
    seq_id = cat.find_sequence("users_id_seq", &s5)->id;
    EXPECT_EQ(cat.find_sequence("users_id_seq", &s7), nullptr);
    EXPECT_TRUE(cat.name_used("users", &s7, Namespace{}));
    EXPECT_FALSE(cat.name_used("users", &s7, Namespace{0, 7}));
    EXPECT_EQ(cat.name_scope("pg_temp", &s5), NameScope::Temporary);
    EXPECT_EQ(cat.name_scope("pg_temp_5", &s5), NameScope::Temporary);
    EXPECT_EQ(cat.name_scope("pg_temp_6", &s5), std::nullopt);
    EXPECT_EQ(cat.name_scope("public", &s5), NameScope::Permanent);
    EXPECT_EQ(cat.name_scope("", &s5), NameScope::SearchPath);
    testing::AutoCommit stmt(*store);
    std::string name = "n";
    for (int i = 0; i < 10; ++i) {
      Datum row[5] = {testing::int_datum(i), testing::text_datum(name), testing::null_datum(),
                      testing::null_datum(), testing::null_datum()};
      stmt.w->insert(*temp, row);
    }
    stmt.commit();
  }
  auto store = Store::open(test_options(dir));
  Catalog& cat = store->catalog();
  EXPECT_EQ(cat.find(temp_id), nullptr);
  EXPECT_EQ(cat.find(other_id), nullptr);
  EXPECT_EQ(cat.find_sequence(seq_id), nullptr);
  ASSERT_NE(cat.find("users"), nullptr);
  EXPECT_EQ(cat.tables().size(), 1u);
  for (uint32_t id : {temp_id, other_id}) {  // no key is left under the tables
    std::string prefix;
    keycodec::append_table_prefix(id, prefix);
    std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(rocksdb::ReadOptions()));
    it->Seek(prefix);
    EXPECT_FALSE(it->Valid() && it->key().starts_with(prefix)) << "table " << id;
  }
}

}  // namespace
}  // namespace omendb::storage

namespace omendb::storage {
namespace {

SequenceDef seq_def(std::string name, int64_t increment = 1, int64_t min = 1, int64_t max = INT64_MAX,
                    int64_t start = 1, bool cycle = false) {
  SequenceDef s;
  s.name = std::move(name);
  s.increment = increment;
  s.min_value = min;
  s.max_value = max;
  s.start = start;
  s.cycle = cycle;
  return s;
}

TEST(Sequences, NextvalLimitsCycleSetval) {
  TempDir dir;
  auto store = Store::open(test_options(dir));
  Catalog& c = store->catalog();
  SequenceDefPtr s = c.create_sequence(seq_def("s", 10, 5, 125, 100));
  EXPECT_EQ(c.nextval(s->id), 100);
  EXPECT_EQ(c.nextval(s->id), 110);
  EXPECT_EQ(c.nextval(s->id), 120);
  EXPECT_EQ(sqlstate_of([&] { c.nextval(s->id); }), "2200H");
  SequenceDefPtr cyc = c.create_sequence(seq_def("cyc", -1, -3, -1, -1, true));
  std::vector<int64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(c.nextval(cyc->id));
  EXPECT_EQ(got, (std::vector<int64_t>{-1, -2, -3, -1, -2}));
  // the maximum of bigint without overflow
  SequenceDefPtr top = c.create_sequence(seq_def("top", 5, 1, INT64_MAX, INT64_MAX - 6));
  EXPECT_EQ(c.nextval(top->id), INT64_MAX - 6);
  EXPECT_EQ(c.nextval(top->id), INT64_MAX - 1);
  EXPECT_EQ(sqlstate_of([&] { c.nextval(top->id); }), "2200H");
  c.setval(s->id, 7, false);
  EXPECT_EQ(c.nextval(s->id), 7);
  EXPECT_EQ(sqlstate_of([&] { c.setval(s->id, 4, true); }), "22003");
  EXPECT_EQ(sqlstate_of([&] { c.create_sequence(seq_def("s")); }), "42P07");
  EXPECT_EQ(sqlstate_of([&] { c.create_table(users_def("s")); }), "42P07");
  c.create_table(users_def("u"));
  EXPECT_EQ(sqlstate_of([&] { c.create_sequence(seq_def("u")); }), "42P07");
  c.drop_sequence("s");
  EXPECT_EQ(c.find_sequence("s"), nullptr);
  EXPECT_EQ(sqlstate_of([&] { c.nextval(s->id); }), "42P01");
}

// A clean close keeps each sequence's exact position; ids are never reused by tables or sequences.
TEST(Sequences, PersistAcrossReopenWithoutGap) {
  TempDir dir;
  uint32_t id = 0;
  {
    auto store = Store::open(test_options(dir));
    id = store->catalog().create_sequence(seq_def("s"))->id;
    for (int i = 1; i <= 40; ++i) ASSERT_EQ(store->catalog().nextval(id), i);
  }
  {
    auto store = Store::open(test_options(dir));
    ASSERT_NE(store->catalog().find_sequence("s"), nullptr);
    EXPECT_EQ(store->catalog().sequence_value(id).last_value, 40);
    EXPECT_EQ(store->catalog().nextval(id), 41);
    TableDefPtr t = store->catalog().create_table(users_def("t"));
    EXPECT_GT(t->id, id);
  }
}

// SERIAL / identity: the owned sequence is created with the table and dropped with it; the identity flag
// persists (catalog format 4).
TEST(Sequences, OwnedByTable) {
  TempDir dir;
  uint32_t seq_id = 0;
  {
    auto store = Store::open(test_options(dir));
    TableDef d = users_def("t");
    d.columns[0].identity = 'a';
    SequenceDef s = seq_def("t_id_seq");
    s.owner_attnum = 1;
    TableDefPtr t = store->catalog().create_table(d, {s});
    SequenceDefPtr owned = store->catalog().find_sequence("t_id_seq");
    ASSERT_NE(owned, nullptr);
    EXPECT_EQ(owned->owner_table, t->id);
    seq_id = owned->id;
    EXPECT_EQ(store->catalog().nextval(seq_id), 1);
  }
  auto store = Store::open(test_options(dir));
  TableDefPtr t = store->catalog().find("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->columns[0].identity, 'a');
  EXPECT_EQ(t->columns[1].identity, 0);
  EXPECT_EQ(store->catalog().nextval(seq_id), 2);
  store->catalog().drop_table("t");
  EXPECT_EQ(store->catalog().find_sequence("t_id_seq"), nullptr);
  EXPECT_TRUE(store->catalog().sequences().empty());
}

}  // namespace
// Schemas (docs/schema.md, "Schemas"): created, renamed and dropped through a transaction's overlay,
// durable across a reopen with the tables and sequences in them; names resolve per namespace and through
// the overlay's search_path; a rolled-back CREATE SCHEMA leaves nothing.
TEST(Catalog, SchemasPersistAndScopeNames) {
  TempDir dir;
  uint32_t schema_id = 0, table_id = 0, public_id = 0;
  {
    auto store = Store::open(test_options(dir));
    Catalog& cat = store->catalog();
    public_id = cat.create_table(users_def())->id;
    {
      auto txn = store->begin(IsolationLevel::ReadCommitted);
      SchemaDefPtr s = cat.create_schema("app", txn->catalog_overlay());
      schema_id = s->id;
      EXPECT_EQ(cat.find_schema("app"), nullptr);  // not committed yet
      EXPECT_EQ(cat.find_schema("app", &txn->catalog_overlay()), s);
      EXPECT_THROW(cat.create_schema("app", txn->catalog_overlay()), SqlError);
      EXPECT_THROW(cat.create_schema("public", txn->catalog_overlay()), SqlError);
      TableDef def = users_def();
      def.schema = schema_id;
      SequenceDef seq;
      seq.name = "users_id_seq";
      seq.owner_attnum = 1;
      table_id = cat.create_table(def, {seq}, txn->catalog_overlay())->id;
      SequenceDef counter;
      counter.name = "counter";
      counter.schema = schema_id;
      cat.create_sequence(counter, std::nullopt, txn->catalog_overlay());
      txn->commit();
    }
    {
      auto txn = store->begin(IsolationLevel::ReadCommitted);
      cat.create_schema("gone", txn->catalog_overlay());
      txn->rollback();
    }
    EXPECT_EQ(cat.find_schema("gone"), nullptr);
  }
  auto store = Store::open(test_options(dir));
  Catalog& cat = store->catalog();
  SchemaDefPtr s = cat.find_schema("app");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, schema_id);
  EXPECT_EQ(cat.find_schema("gone"), nullptr);
  EXPECT_EQ(cat.schema_name(schema_id), "app");
  EXPECT_EQ(cat.schema_name(0), "public");
  // Two tables named users: public's (the default search path) and app's.
  EXPECT_EQ(cat.find("users")->id, public_id);
  EXPECT_EQ(cat.find("users", nullptr, NameScope::in_schema(schema_id))->id, table_id);
  EXPECT_EQ(cat.find(table_id)->schema, schema_id);
  EXPECT_EQ(cat.find_sequence("users_id_seq", nullptr, NameScope::in_schema(schema_id))->schema, schema_id);
  EXPECT_EQ(cat.find_sequence("users_id_seq"), nullptr);
  EXPECT_NE(cat.find_sequence("counter", nullptr, NameScope::in_schema(schema_id)), nullptr);
  EXPECT_TRUE(cat.name_used("users", nullptr, Namespace{schema_id, 0}));
  EXPECT_FALSE(cat.name_used("counter", nullptr, Namespace{}));
  CatalogOverlay session;
  session.search_path =
      std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"app", "public"});
  EXPECT_EQ(cat.find("users", &session)->id, table_id);
  EXPECT_EQ(cat.name_scope("app", &session), NameScope::in_schema(schema_id));
  EXPECT_EQ(cat.name_scope("nosuch", &session), std::nullopt);
  EXPECT_EQ(cat.search_path_schemas(&session), (std::vector<std::string>{"app", "public"}));
  session.search_path = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"nosuch"});
  EXPECT_EQ(cat.find("users", &session), nullptr);
  EXPECT_TRUE(cat.search_path_schemas(&session).empty());
  // Rename, then drop: the schema must be empty at the drop's commit.
  {
    auto txn = store->begin(IsolationLevel::ReadCommitted);
    cat.rename_schema(schema_id, "app2", txn->catalog_overlay());
    txn->commit();
  }
  EXPECT_EQ(cat.find_schema("app"), nullptr);
  EXPECT_EQ(cat.find_schema("app2")->id, schema_id);
  {
    auto txn = store->begin(IsolationLevel::ReadCommitted);
    cat.drop_schema(schema_id, txn->catalog_overlay());
    EXPECT_THROW(txn->commit(), SqlError);  // its table and sequence are still there
  }
  {
    auto txn = store->begin(IsolationLevel::ReadCommitted);
    cat.drop_table(table_id, txn->catalog_overlay());
    cat.drop_sequence(cat.find_sequence("counter", nullptr, NameScope::in_schema(schema_id))->id,
                      txn->catalog_overlay());
    cat.drop_schema(schema_id, txn->catalog_overlay());
    txn->commit();
  }
  EXPECT_EQ(cat.find_schema("app2"), nullptr);
}

}  // namespace omendb::storage
