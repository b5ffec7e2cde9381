// The extended query protocol over a real socket against the real engine (a Database in a temporary
// directory): error -> discard until Sync, PortalSuspended, Describe of statements and portals. The
// expected message sequences are PostgreSQL 15's (tests/integration/test_extended_protocol.py checks the
// same sequences against a running PostgreSQL).
#include <filesystem>

#include "pgwire_test_support.h"
#include "server/engine.h"

namespace omendb::pgwire::testing {
namespace {

std::string cstr(std::string_view s) {
  std::string out(s);
  out.push_back('\0');
  return out;
}
void put_i16(std::string& out, int16_t v) {
  out.push_back(static_cast<char>(static_cast<uint16_t>(v) >> 8));
  out.push_back(static_cast<char>(v));
}

std::string parse_msg(std::string_view name, std::string_view sql, std::vector<uint32_t> types = {}) {
  std::string b = cstr(name) + cstr(sql);
  put_i16(b, static_cast<int16_t>(types.size()));
  for (uint32_t t : types) put_i32(b, static_cast<int32_t>(t));
  return message('P', b);
}
// Parameters in text format (nullopt = NULL), results in `result_format` for every column.
std::string bind_msg(std::string_view portal, std::string_view stmt,
                     std::vector<std::optional<std::string>> values = {}, int16_t result_format = 0) {
  std::string b = cstr(portal) + cstr(stmt);
  put_i16(b, 0);
  put_i16(b, static_cast<int16_t>(values.size()));
  for (const auto& v : values) {
    put_i32(b, v ? static_cast<int32_t>(v->size()) : -1);
    if (v) b += *v;
  }
  put_i16(b, 1);
  put_i16(b, result_format);
  return message('B', b);
}
std::string describe_msg(char kind, std::string_view name) {
  return message('D', std::string(1, kind) + cstr(name));
}
std::string execute_msg(std::string_view portal, int32_t max_rows = 0) {
  std::string b = cstr(portal);
  put_i32(b, max_rows);
  return message('E', b);
}
std::string sync_msg() {
  return message('S', "");
}

std::string data_of(const Msg& m) {  // DataRow with one column -> its value
  int32_t len = get_i32(m.body.data() + 2);
  return len < 0 ? "NULL" : m.body.substr(6, static_cast<size_t>(len));
}

struct ParamDesc {
  std::vector<uint32_t> oids;
};
std::vector<uint32_t> param_oids(const Msg& t) {
  std::vector<uint32_t> out;
  int n = (static_cast<unsigned char>(t.body[0]) << 8) | static_cast<unsigned char>(t.body[1]);
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint32_t>(get_i32(t.body.data() + 2 + 4 * i)));
  return out;
}
// RowDescription -> "name:oid:typmod:format,..."
std::string columns_of(const Msg& t) {
  std::string out;
  int n = (static_cast<unsigned char>(t.body[0]) << 8) | static_cast<unsigned char>(t.body[1]);
  size_t p = 2;
  for (int i = 0; i < n; ++i) {
    size_t end = t.body.find('\0', p);
    std::string name = t.body.substr(p, end - p);
    p = end + 1 + 6;
    uint32_t oid = static_cast<uint32_t>(get_i32(t.body.data() + p));
    int32_t typmod = get_i32(t.body.data() + p + 6);
    int format = t.body[p + 11];
    p += 12;
    if (i) out += ",";
    out += name + ":" + std::to_string(oid) + ":" + std::to_string(typmod) + ":" + std::to_string(format);
  }
  return out;
}

class ExtendedProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("omendb-ext-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    engine::EngineOptions eo;
    eo.data_dir = dir_.string();
    eo.sync_commits = false;
    db_ = std::make_unique<engine::Database>(eo);
    ServerOptions so;
    so.listen_address = "127.0.0.1";
    so.port = 0;
    so.worker_threads = 2;
    server_ = std::make_unique<Server>(so, *db_);
    server_->start();
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<RawClient>(server_->port());
    client_->startup();
    ASSERT_EQ(types_of(client_->query("CREATE TABLE r (id int PRIMARY KEY, v varchar(5))")), "CZ");
    ASSERT_EQ(types_of(client_->query("INSERT INTO r VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e')")), "CZ");
  }
  void TearDown() override {
    client_.reset();
    server_->stop();
    thread_.join();
    server_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<Msg> run(const std::string& messages) {
    client_->send(messages);
    return client_->read_until_ready();
  }

  std::filesystem::path dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<RawClient> client_;
};

TEST_F(ExtendedProtocol, ErrorDiscardsUntilSync) {
  // The error at the first Execute: the second Parse/Bind/Execute and the simple Query are discarded.
  auto r = run(parse_msg("", "SELECT 1/0") + bind_msg("", "") + execute_msg("") + parse_msg("", "SELECT 1") +
               bind_msg("", "") + execute_msg("") + query_message("SELECT 5") + sync_msg());
  ASSERT_EQ(types_of(r), "12EZ");
  EXPECT_EQ(r[2].sqlstate(), "22012");
  EXPECT_EQ(r.back().body, "I");
  // A lone Sync after the error answers ReadyForQuery only; then everything works again.
  EXPECT_EQ(types_of(run(sync_msg())), "Z");
  r = run(parse_msg("", "SELECT 1") + bind_msg("", "") + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "12DCZ");
  EXPECT_EQ(data_of(r[2]), "1");
  // Errors in Parse and Bind too; the Sync's ReadyForQuery carries the transaction status.
  r = run(parse_msg("", "SELEC 1") + bind_msg("", "") + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "42601");
  EXPECT_EQ(types_of(client_->query("BEGIN")), "CZ");
  r = run(parse_msg("", "SELECT $1::int") + bind_msg("", "", {"abc"}) + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "1EZ");
  EXPECT_EQ(r[1].sqlstate(), "22P02");
  EXPECT_EQ(r[1].fields()['M'], "invalid input syntax for type integer: \"abc\"");
  EXPECT_EQ(r.back().body, "E");
  r = run(parse_msg("", "SELECT 1") + sync_msg());
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "25P02");
  r = run(parse_msg("", "ROLLBACK") + bind_msg("", "") + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "12CZ");
  EXPECT_EQ(r.back().body, "I");
}

TEST_F(ExtendedProtocol, PipelineBeforeSyncIsOneImplicitTransaction) {
  auto r = run(parse_msg("", "INSERT INTO r VALUES ($1, $2)") + bind_msg("", "", {"10", "x"}) +
               execute_msg("") + bind_msg("", "", {"10", "y"}) + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "12C2EZ");
  EXPECT_EQ(r[4].sqlstate(), "23505");
  r = client_->query("SELECT count(*) FROM r WHERE id = 10");
  ASSERT_EQ(types_of(r), "TDCZ");
  EXPECT_EQ(data_of(r[1]), "0");  // the first INSERT was rolled back with the second
}

TEST_F(ExtendedProtocol, PortalSuspended) {
  auto r = run(parse_msg("", "SELECT id FROM r ORDER BY id") + bind_msg("", "") + execute_msg("", 2) +
               execute_msg("", 2) + execute_msg("", 2) + execute_msg("", 2) + sync_msg());
  ASSERT_EQ(types_of(r), "12DDsDDsDCCZ");
  EXPECT_EQ(data_of(r[2]), "1");
  EXPECT_EQ(data_of(r[6]), "4");
  EXPECT_EQ(data_of(r[8]), "5");
  EXPECT_EQ(r[9].body, std::string("SELECT 1\0", 9));  // the rows of this Execute, as PostgreSQL counts
  EXPECT_EQ(r[10].body, std::string("SELECT 0\0", 9));
  // A named portal inside a transaction block survives Sync, until COMMIT.
  EXPECT_EQ(types_of(client_->query("BEGIN")), "CZ");
  r = run(parse_msg("", "SELECT id FROM r ORDER BY id") + bind_msg("c", "") + execute_msg("c", 3) +
          sync_msg());
  ASSERT_EQ(types_of(r), "12DDDsZ");
  EXPECT_EQ(r.back().body, "T");
  r = run(execute_msg("c", 3) + sync_msg());
  ASSERT_EQ(types_of(r), "DDCZ");
  EXPECT_EQ(data_of(r[1]), "5");
  EXPECT_EQ(types_of(client_->query("COMMIT")), "CZ");
  r = run(execute_msg("c", 3) + sync_msg());
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "34000");
  EXPECT_EQ(r[0].fields()['M'], "portal \"c\" does not exist");
}

TEST_F(ExtendedProtocol, DescribeStatementAndPortal) {
  auto r = run(parse_msg("q", "SELECT id, v, $2::bigint + 1 AS n FROM r WHERE id = $1") +
               describe_msg('S', "q") + sync_msg());
  ASSERT_EQ(types_of(r), "1tTZ");
  EXPECT_EQ(param_oids(r[1]), (std::vector<uint32_t>{23, 20}));
  EXPECT_EQ(columns_of(r[2]), "id:23:-1:0,v:1043:9:0,n:20:-1:0");
  // The portal's description carries the result formats given at Bind (here binary for every column).
  r = run(bind_msg("p", "q", {"2", "41"}, 1) + describe_msg('P', "p") + execute_msg("p") + sync_msg());
  ASSERT_EQ(types_of(r), "2TDCZ");
  EXPECT_EQ(columns_of(r[1]), "id:23:-1:1,v:1043:9:1,n:20:-1:1");
  // Binary DataRow: int4 2, varchar "b", int8 42.
  EXPECT_EQ(r[2].body, std::string("\0\3\0\0\0\4\0\0\0\2\0\0\0\1b\0\0\0\x08\0\0\0\0\0\0\0\x2a", 27));
  // Declared parameter types are kept (int2 stays 21); statements without rows answer NoData.
  r = run(parse_msg("", "UPDATE r SET v = $1 WHERE id = $2", {0, 21}) + describe_msg('S', "") +
          bind_msg("", "", {"zz", "3"}) + describe_msg('P', "") + execute_msg("") + sync_msg());
  ASSERT_EQ(types_of(r), "1tn2nCZ");
  EXPECT_EQ(param_oids(r[1]), (std::vector<uint32_t>{25, 21}));
  EXPECT_EQ(r[5].body, std::string("UPDATE 1\0", 9));
  // Describe of what does not exist.
  r = run(describe_msg('S', "nope") + sync_msg());
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "26000");
  r = run(describe_msg('P', "nope") + sync_msg());
  ASSERT_EQ(types_of(r), "EZ");
  EXPECT_EQ(r[0].sqlstate(), "34000");
  // The empty query: NoData, then EmptyQueryResponse.
  r = run(parse_msg("", "") + bind_msg("", "") + describe_msg('P', "") + execute_msg("") + sync_msg());
  EXPECT_EQ(types_of(r), "12nIZ");
}

}  // namespace
}  // namespace omendb::pgwire::testing
