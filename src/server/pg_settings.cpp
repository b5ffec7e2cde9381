#include "server/pg_settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <iterator>

#include "common/error.h"
#include "common/value.h"

namespace omendb::engine {
namespace {

enum class Context {
  Internal,
  Postmaster,
  Sighup,
  Backend,
  User
};  // PostgreSQL's GucContext, as SET sees it
enum class Kind { Bool, Enum, Other };

struct PgSetting {
  std::string_view name;          // lower case
  std::string_view default_text;  // as SHOW prints it on a fresh PostgreSQL 15 (UTF8, C.UTF-8, port 5432)
  Context context;
  Kind kind;
  std::string_view enum_values;  // Kind::Enum: pg_settings.enumvals, comma-separated
};

// pg_settings of PostgreSQL 15.18 (current_setting() of every row; the file locations left out) and the
// parameters it hides that SET and SHOW know (is_superuser, role, session_authorization), sorted by name
// (bytes).
constexpr PgSetting kSettings[] = {
    {"allow_in_place_tablespaces", "off", Context::User, Kind::Bool, ""},
    {"allow_system_table_mods", "off", Context::User, Kind::Bool, ""},
    {"application_name", "", Context::User, Kind::Other, ""},
    {"archive_cleanup_command", "", Context::Sighup, Kind::Other, ""},
    {"archive_command", "(disabled)", Context::Sighup, Kind::Other, ""},
    {"archive_library", "", Context::Sighup, Kind::Other, ""},
    {"archive_mode", "off", Context::Postmaster, Kind::Enum, "always,on,off"},
    {"archive_timeout", "0", Context::Sighup, Kind::Other, ""},
    {"array_nulls", "on", Context::User, Kind::Bool, ""},
    {"authentication_timeout", "1min", Context::Sighup, Kind::Other, ""},
    {"autovacuum", "on", Context::Sighup, Kind::Bool, ""},
    {"autovacuum_analyze_scale_factor", "0.1", Context::Sighup, Kind::Other, ""},
    {"autovacuum_analyze_threshold", "50", Context::Sighup, Kind::Other, ""},
    {"autovacuum_freeze_max_age", "200000000", Context::Postmaster, Kind::Other, ""},
    {"autovacuum_max_workers", "3", Context::Postmaster, Kind::Other, ""},
    {"autovacuum_multixact_freeze_max_age", "400000000", Context::Postmaster, Kind::Other, ""},
    {"autovacuum_naptime", "1min", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_cost_delay", "2ms", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_cost_limit", "-1", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_insert_scale_factor", "0.2", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_insert_threshold", "1000", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_scale_factor", "0.2", Context::Sighup, Kind::Other, ""},
    {"autovacuum_vacuum_threshold", "50", Context::Sighup, Kind::Other, ""},
    {"autovacuum_work_mem", "-1", Context::Sighup, Kind::Other, ""},
    {"backend_flush_after", "0", Context::User, Kind::Other, ""},
    {"backslash_quote", "safe_encoding", Context::User, Kind::Enum, "safe_encoding,on,off"},
    {"backtrace_functions", "", Context::User, Kind::Other, ""},
    {"bgwriter_delay", "200ms", Context::Sighup, Kind::Other, ""},
    {"bgwriter_flush_after", "512kB", Context::Sighup, Kind::Other, ""},
    {"bgwriter_lru_maxpages", "100", Context::Sighup, Kind::Other, ""},
    {"bgwriter_lru_multiplier", "2", Context::Sighup, Kind::Other, ""},
    {"block_size", "8192", Context::Internal, Kind::Other, ""},
    {"bonjour", "off", Context::Postmaster, Kind::Bool, ""},
    {"bonjour_name", "", Context::Postmaster, Kind::Other, ""},
    {"bytea_output", "hex", Context::User, Kind::Enum, "escape,hex"},
    {"check_function_bodies", "on", Context::User, Kind::Bool, ""},
    {"checkpoint_completion_target", "0.9", Context::Sighup, Kind::Other, ""},
    {"checkpoint_flush_after", "256kB", Context::Sighup, Kind::Other, ""},
    {"checkpoint_timeout", "5min", Context::Sighup, Kind::Other, ""},
    {"checkpoint_warning", "30s", Context::Sighup, Kind::Other, ""},
    {"client_connection_check_interval", "0", Context::User, Kind::Other, ""},
    {"client_encoding", "UTF8", Context::User, Kind::Other, ""},
    {"client_min_messages", "notice", Context::User, Kind::Enum,
     "debug5,debug4,debug3,debug2,debug1,log,notice,warning,error"},
    {"cluster_name", "", Context::Postmaster, Kind::Other, ""},
    {"commit_delay", "0", Context::User, Kind::Other, ""},
    {"commit_siblings", "5", Context::User, Kind::Other, ""},
    {"compute_query_id", "auto", Context::User, Kind::Enum, "auto,regress,on,off"},
    {"constraint_exclusion", "partition", Context::User, Kind::Enum, "partition,on,off"},
    {"cpu_index_tuple_cost", "0.005", Context::User, Kind::Other, ""},
    {"cpu_operator_cost", "0.0025", Context::User, Kind::Other, ""},
    {"cpu_tuple_cost", "0.01", Context::User, Kind::Other, ""},
    {"cursor_tuple_fraction", "0.1", Context::User, Kind::Other, ""},
    {"data_checksums", "off", Context::Internal, Kind::Bool, ""},
    {"data_directory_mode", "0700", Context::Internal, Kind::Other, ""},
    {"data_sync_retry", "off", Context::Postmaster, Kind::Bool, ""},
    {"datestyle", "ISO, MDY", Context::User, Kind::Other, ""},
    {"db_user_namespace", "off", Context::Sighup, Kind::Bool, ""},
    {"deadlock_timeout", "1s", Context::User, Kind::Other, ""},
    {"debug_assertions", "off", Context::Internal, Kind::Bool, ""},
    {"debug_discard_caches", "0", Context::User, Kind::Other, ""},
    {"debug_pretty_print", "on", Context::User, Kind::Bool, ""},
    {"debug_print_parse", "off", Context::User, Kind::Bool, ""},
    {"debug_print_plan", "off", Context::User, Kind::Bool, ""},
    {"debug_print_rewritten", "off", Context::User, Kind::Bool, ""},
    {"default_statistics_target", "100", Context::User, Kind::Other, ""},
    {"default_table_access_method", "heap", Context::User, Kind::Other, ""},
    {"default_tablespace", "", Context::User, Kind::Other, ""},
    {"default_text_search_config", "pg_catalog.english", Context::User, Kind::Other, ""},
    {"default_toast_compression", "pglz", Context::User, Kind::Enum, "pglz,lz4"},
    {"default_transaction_deferrable", "off", Context::User, Kind::Bool, ""},
    {"default_transaction_isolation", "read committed", Context::User, Kind::Enum,
     "serializable,repeatable read,read committed,read uncommitted"},
    {"default_transaction_read_only", "off", Context::User, Kind::Bool, ""},
    {"dynamic_library_path", "$libdir", Context::User, Kind::Other, ""},
    {"dynamic_shared_memory_type", "posix", Context::Postmaster, Kind::Enum, "posix,sysv,mmap"},
    {"effective_cache_size", "4GB", Context::User, Kind::Other, ""},
    {"effective_io_concurrency", "1", Context::User, Kind::Other, ""},
    {"enable_async_append", "on", Context::User, Kind::Bool, ""},
    {"enable_bitmapscan", "on", Context::User, Kind::Bool, ""},
    {"enable_gathermerge", "on", Context::User, Kind::Bool, ""},
    {"enable_hashagg", "on", Context::User, Kind::Bool, ""},
    {"enable_hashjoin", "on", Context::User, Kind::Bool, ""},
    {"enable_incremental_sort", "on", Context::User, Kind::Bool, ""},
    {"enable_indexonlyscan", "on", Context::User, Kind::Bool, ""},
    {"enable_indexscan", "on", Context::User, Kind::Bool, ""},
    {"enable_material", "on", Context::User, Kind::Bool, ""},
    {"enable_memoize", "on", Context::User, Kind::Bool, ""},
    {"enable_mergejoin", "on", Context::User, Kind::Bool, ""},
    {"enable_nestloop", "on", Context::User, Kind::Bool, ""},
    {"enable_parallel_append", "on", Context::User, Kind::Bool, ""},
    {"enable_parallel_hash", "on", Context::User, Kind::Bool, ""},
    {"enable_partition_pruning", "on", Context::User, Kind::Bool, ""},
    {"enable_partitionwise_aggregate", "off", Context::User, Kind::Bool, ""},
    {"enable_partitionwise_join", "off", Context::User, Kind::Bool, ""},
    {"enable_seqscan", "on", Context::User, Kind::Bool, ""},
    {"enable_sort", "on", Context::User, Kind::Bool, ""},
    {"enable_tidscan", "on", Context::User, Kind::Bool, ""},
    {"escape_string_warning", "on", Context::User, Kind::Bool, ""},
    {"event_source", "PostgreSQL", Context::Postmaster, Kind::Other, ""},
    {"exit_on_error", "off", Context::User, Kind::Bool, ""},
    {"extension_destdir", "", Context::User, Kind::Other, ""},
    {"extra_float_digits", "1", Context::User, Kind::Other, ""},
    {"force_parallel_mode", "off", Context::User, Kind::Enum, "off,on,regress"},
    {"from_collapse_limit", "8", Context::User, Kind::Other, ""},
    {"fsync", "on", Context::Sighup, Kind::Bool, ""},
    {"full_page_writes", "on", Context::Sighup, Kind::Bool, ""},
    {"geqo", "on", Context::User, Kind::Bool, ""},
    {"geqo_effort", "5", Context::User, Kind::Other, ""},
    {"geqo_generations", "0", Context::User, Kind::Other, ""},
    {"geqo_pool_size", "0", Context::User, Kind::Other, ""},
    {"geqo_seed", "0", Context::User, Kind::Other, ""},
    {"geqo_selection_bias", "2", Context::User, Kind::Other, ""},
    {"geqo_threshold", "12", Context::User, Kind::Other, ""},
    {"gin_fuzzy_search_limit", "0", Context::User, Kind::Other, ""},
    {"gin_pending_list_limit", "4MB", Context::User, Kind::Other, ""},
    {"hash_mem_multiplier", "2", Context::User, Kind::Other, ""},
    {"hot_standby", "on", Context::Postmaster, Kind::Bool, ""},
    {"hot_standby_feedback", "off", Context::Sighup, Kind::Bool, ""},
    {"huge_page_size", "0", Context::Postmaster, Kind::Other, ""},
    {"huge_pages", "try", Context::Postmaster, Kind::Enum, "off,on,try"},
    {"idle_in_transaction_session_timeout", "0", Context::User, Kind::Other, ""},
    {"idle_session_timeout", "0", Context::User, Kind::Other, ""},
    {"ignore_checksum_failure", "off", Context::User, Kind::Bool, ""},
    {"ignore_invalid_pages", "off", Context::Postmaster, Kind::Bool, ""},
    {"ignore_system_indexes", "off", Context::Backend, Kind::Bool, ""},
    {"in_hot_standby", "off", Context::Internal, Kind::Bool, ""},
    {"integer_datetimes", "on", Context::Internal, Kind::Bool, ""},
    {"intervalstyle", "postgres", Context::User, Kind::Enum,
     "postgres,postgres_verbose,sql_standard,iso_8601"},
    {"is_superuser", "on", Context::Internal, Kind::Bool, ""},
    {"jit", "on", Context::User, Kind::Bool, ""},
    {"jit_above_cost", "100000", Context::User, Kind::Other, ""},
    {"jit_debugging_support", "off", Context::Backend, Kind::Bool, ""},
    {"jit_dump_bitcode", "off", Context::User, Kind::Bool, ""},
    {"jit_expressions", "on", Context::User, Kind::Bool, ""},
    {"jit_inline_above_cost", "500000", Context::User, Kind::Other, ""},
    {"jit_optimize_above_cost", "500000", Context::User, Kind::Other, ""},
    {"jit_profiling_support", "off", Context::Backend, Kind::Bool, ""},
    {"jit_provider", "llvmjit", Context::Postmaster, Kind::Other, ""},
    {"jit_tuple_deforming", "on", Context::User, Kind::Bool, ""},
    {"join_collapse_limit", "8", Context::User, Kind::Other, ""},
    {"krb_caseins_users", "off", Context::Sighup, Kind::Bool, ""},
    {"krb_server_keyfile", "FILE:/etc/postgresql-common/krb5.keytab", Context::Sighup, Kind::Other, ""},
    {"lc_collate", "C.UTF-8", Context::Internal, Kind::Other, ""},
    {"lc_ctype", "C.UTF-8", Context::Internal, Kind::Other, ""},
    {"lc_messages", "C.UTF-8", Context::User, Kind::Other, ""},
    {"lc_monetary", "C.UTF-8", Context::User, Kind::Other, ""},
    {"lc_numeric", "C.UTF-8", Context::User, Kind::Other, ""},
    {"lc_time", "C.UTF-8", Context::User, Kind::Other, ""},
    {"listen_addresses", "localhost", Context::Postmaster, Kind::Other, ""},
    {"lo_compat_privileges", "off", Context::User, Kind::Bool, ""},
    {"local_preload_libraries", "", Context::User, Kind::Other, ""},
    {"lock_timeout", "0", Context::User, Kind::Other, ""},
    {"log_autovacuum_min_duration", "10min", Context::Sighup, Kind::Other, ""},
    {"log_checkpoints", "on", Context::Sighup, Kind::Bool, ""},
    {"log_connections", "off", Context::Backend, Kind::Bool, ""},
    {"log_destination", "stderr", Context::Sighup, Kind::Other, ""},
    {"log_directory", "log", Context::Sighup, Kind::Other, ""},
    {"log_disconnections", "off", Context::Backend, Kind::Bool, ""},
    {"log_duration", "off", Context::User, Kind::Bool, ""},
    {"log_error_verbosity", "default", Context::User, Kind::Enum, "terse,default,verbose"},
    {"log_executor_stats", "off", Context::User, Kind::Bool, ""},
    {"log_file_mode", "0600", Context::Sighup, Kind::Other, ""},
    {"log_filename", "postgresql-%Y-%m-%d_%H%M%S.log", Context::Sighup, Kind::Other, ""},
    {"log_hostname", "off", Context::Sighup, Kind::Bool, ""},
    {"log_line_prefix", "%m [%p] ", Context::Sighup, Kind::Other, ""},
    {"log_lock_waits", "off", Context::User, Kind::Bool, ""},
    {"log_min_duration_sample", "-1", Context::User, Kind::Other, ""},
    {"log_min_duration_statement", "-1", Context::User, Kind::Other, ""},
    {"log_min_error_statement", "error", Context::User, Kind::Enum,
     "debug5,debug4,debug3,debug2,debug1,info,notice,warning,error,log,fatal,panic"},
    {"log_min_messages", "warning", Context::User, Kind::Enum,
     "debug5,debug4,debug3,debug2,debug1,info,notice,warning,error,log,fatal,panic"},
    {"log_parameter_max_length", "-1", Context::User, Kind::Other, ""},
    {"log_parameter_max_length_on_error", "0", Context::User, Kind::Other, ""},
    {"log_parser_stats", "off", Context::User, Kind::Bool, ""},
    {"log_planner_stats", "off", Context::User, Kind::Bool, ""},
    {"log_recovery_conflict_waits", "off", Context::Sighup, Kind::Bool, ""},
    {"log_replication_commands", "off", Context::User, Kind::Bool, ""},
    {"log_rotation_age", "1d", Context::Sighup, Kind::Other, ""},
    {"log_rotation_size", "10MB", Context::Sighup, Kind::Other, ""},
    {"log_startup_progress_interval", "10s", Context::Sighup, Kind::Other, ""},
    {"log_statement", "none", Context::User, Kind::Enum, "none,ddl,mod,all"},
    {"log_statement_sample_rate", "1", Context::User, Kind::Other, ""},
    {"log_statement_stats", "off", Context::User, Kind::Bool, ""},
    {"log_temp_files", "-1", Context::User, Kind::Other, ""},
    {"log_timezone", "UTC", Context::Sighup, Kind::Other, ""},
    {"log_transaction_sample_rate", "0", Context::User, Kind::Other, ""},
    {"log_truncate_on_rotation", "off", Context::Sighup, Kind::Bool, ""},
    {"logging_collector", "off", Context::Postmaster, Kind::Bool, ""},
    {"logical_decoding_work_mem", "64MB", Context::User, Kind::Other, ""},
    {"maintenance_io_concurrency", "10", Context::User, Kind::Other, ""},
    {"maintenance_work_mem", "64MB", Context::User, Kind::Other, ""},
    {"max_connections", "100", Context::Postmaster, Kind::Other, ""},
    {"max_files_per_process", "1000", Context::Postmaster, Kind::Other, ""},
    {"max_function_args", "100", Context::Internal, Kind::Other, ""},
    {"max_identifier_length", "63", Context::Internal, Kind::Other, ""},
    {"max_index_keys", "32", Context::Internal, Kind::Other, ""},
    {"max_locks_per_transaction", "64", Context::Postmaster, Kind::Other, ""},
    {"max_logical_replication_workers", "4", Context::Postmaster, Kind::Other, ""},
    {"max_parallel_maintenance_workers", "2", Context::User, Kind::Other, ""},
    {"max_parallel_workers", "8", Context::User, Kind::Other, ""},
    {"max_parallel_workers_per_gather", "2", Context::User, Kind::Other, ""},
    {"max_pred_locks_per_page", "2", Context::Sighup, Kind::Other, ""},
    {"max_pred_locks_per_relation", "-2", Context::Sighup, Kind::Other, ""},
    {"max_pred_locks_per_transaction", "64", Context::Postmaster, Kind::Other, ""},
    {"max_prepared_transactions", "0", Context::Postmaster, Kind::Other, ""},
    {"max_replication_slots", "10", Context::Postmaster, Kind::Other, ""},
    {"max_slot_wal_keep_size", "-1", Context::Sighup, Kind::Other, ""},
    {"max_stack_depth", "2MB", Context::User, Kind::Other, ""},
    {"max_standby_archive_delay", "30s", Context::Sighup, Kind::Other, ""},
    {"max_standby_streaming_delay", "30s", Context::Sighup, Kind::Other, ""},
    {"max_sync_workers_per_subscription", "2", Context::Sighup, Kind::Other, ""},
    {"max_wal_senders", "10", Context::Postmaster, Kind::Other, ""},
    {"max_wal_size", "1GB", Context::Sighup, Kind::Other, ""},
    {"max_worker_processes", "8", Context::Postmaster, Kind::Other, ""},
    {"min_dynamic_shared_memory", "0", Context::Postmaster, Kind::Other, ""},
    {"min_parallel_index_scan_size", "512kB", Context::User, Kind::Other, ""},
    {"min_parallel_table_scan_size", "8MB", Context::User, Kind::Other, ""},
    {"min_wal_size", "80MB", Context::Sighup, Kind::Other, ""},
    {"old_snapshot_threshold", "-1", Context::Postmaster, Kind::Other, ""},
    {"parallel_leader_participation", "on", Context::User, Kind::Bool, ""},
    {"parallel_setup_cost", "1000", Context::User, Kind::Other, ""},
    {"parallel_tuple_cost", "0.1", Context::User, Kind::Other, ""},
    {"password_encryption", "scram-sha-256", Context::User, Kind::Enum, "md5,scram-sha-256"},
    {"plan_cache_mode", "auto", Context::User, Kind::Enum, "auto,force_generic_plan,force_custom_plan"},
    {"port", "5432", Context::Postmaster, Kind::Other, ""},
    {"post_auth_delay", "0", Context::Backend, Kind::Other, ""},
    {"pre_auth_delay", "0", Context::Sighup, Kind::Other, ""},
    {"primary_conninfo", "", Context::Sighup, Kind::Other, ""},
    {"primary_slot_name", "", Context::Sighup, Kind::Other, ""},
    {"promote_trigger_file", "", Context::Sighup, Kind::Other, ""},
    {"quote_all_identifiers", "off", Context::User, Kind::Bool, ""},
    {"random_page_cost", "4", Context::User, Kind::Other, ""},
    {"recovery_end_command", "", Context::Sighup, Kind::Other, ""},
    {"recovery_init_sync_method", "fsync", Context::Sighup, Kind::Enum, "fsync,syncfs"},
    {"recovery_min_apply_delay", "0", Context::Sighup, Kind::Other, ""},
    {"recovery_prefetch", "try", Context::Sighup, Kind::Enum, "off,on,try"},
    {"recovery_target", "", Context::Postmaster, Kind::Other, ""},
    {"recovery_target_action", "pause", Context::Postmaster, Kind::Enum, "pause,promote,shutdown"},
    {"recovery_target_inclusive", "on", Context::Postmaster, Kind::Bool, ""},
    {"recovery_target_lsn", "", Context::Postmaster, Kind::Other, ""},
    {"recovery_target_name", "", Context::Postmaster, Kind::Other, ""},
    {"recovery_target_time", "", Context::Postmaster, Kind::Other, ""},
    {"recovery_target_timeline", "latest", Context::Postmaster, Kind::Other, ""},
    {"recovery_target_xid", "", Context::Postmaster, Kind::Other, ""},
    {"recursive_worktable_factor", "10", Context::User, Kind::Other, ""},
    {"remove_temp_files_after_crash", "on", Context::Sighup, Kind::Bool, ""},
    {"restart_after_crash", "on", Context::Sighup, Kind::Bool, ""},
    {"restore_command", "", Context::Sighup, Kind::Other, ""},
    {"restrict_nonsystem_relation_kind", "", Context::User, Kind::Other, ""},
    {"role", "none", Context::User, Kind::Other, ""},
    {"row_security", "on", Context::User, Kind::Bool, ""},
    {"search_path", "\"$user\", public", Context::User, Kind::Other, ""},
    {"segment_size", "1GB", Context::Internal, Kind::Other, ""},
    {"seq_page_cost", "1", Context::User, Kind::Other, ""},
    {"server_encoding", "UTF8", Context::Internal, Kind::Other, ""},
    {"server_version", "15.18 (Debian 15.18-0+deb12u1)", Context::Internal, Kind::Other, ""},
    {"server_version_num", "150018", Context::Internal, Kind::Other, ""},
    {"session_authorization", "postgres", Context::User, Kind::Other, ""},
    {"session_preload_libraries", "", Context::User, Kind::Other, ""},
    {"session_replication_role", "origin", Context::User, Kind::Enum, "origin,replica,local"},
    {"shared_buffers", "128MB", Context::Postmaster, Kind::Other, ""},
    {"shared_memory_size", "143MB", Context::Internal, Kind::Other, ""},
    {"shared_memory_size_in_huge_pages", "72", Context::Internal, Kind::Other, ""},
    {"shared_memory_type", "mmap", Context::Postmaster, Kind::Enum, "sysv,mmap"},
    {"shared_preload_libraries", "", Context::Postmaster, Kind::Other, ""},
    {"ssl", "off", Context::Sighup, Kind::Bool, ""},
    {"ssl_ca_file", "", Context::Sighup, Kind::Other, ""},
    {"ssl_cert_file", "server.crt", Context::Sighup, Kind::Other, ""},
    {"ssl_ciphers", "HIGH:MEDIUM:+3DES:!aNULL", Context::Sighup, Kind::Other, ""},
    {"ssl_crl_dir", "", Context::Sighup, Kind::Other, ""},
    {"ssl_crl_file", "", Context::Sighup, Kind::Other, ""},
    {"ssl_dh_params_file", "", Context::Sighup, Kind::Other, ""},
    {"ssl_ecdh_curve", "prime256v1", Context::Sighup, Kind::Other, ""},
    {"ssl_key_file", "server.key", Context::Sighup, Kind::Other, ""},
    {"ssl_library", "OpenSSL", Context::Internal, Kind::Other, ""},
    {"ssl_max_protocol_version", "", Context::Sighup, Kind::Enum, ",TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"},
    {"ssl_min_protocol_version", "TLSv1.2", Context::Sighup, Kind::Enum, "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3"},
    {"ssl_passphrase_command", "", Context::Sighup, Kind::Other, ""},
    {"ssl_passphrase_command_supports_reload", "off", Context::Sighup, Kind::Bool, ""},
    {"ssl_prefer_server_ciphers", "on", Context::Sighup, Kind::Bool, ""},
    {"standard_conforming_strings", "on", Context::User, Kind::Bool, ""},
    {"statement_timeout", "0", Context::User, Kind::Other, ""},
    {"stats_fetch_consistency", "cache", Context::User, Kind::Enum, "none,cache,snapshot"},
    {"superuser_reserved_connections", "3", Context::Postmaster, Kind::Other, ""},
    {"synchronize_seqscans", "on", Context::User, Kind::Bool, ""},
    {"synchronous_commit", "on", Context::User, Kind::Enum, "local,remote_write,remote_apply,on,off"},
    {"synchronous_standby_names", "", Context::Sighup, Kind::Other, ""},
    {"syslog_facility", "local0", Context::Sighup, Kind::Enum,
     "local0,local1,local2,local3,local4,local5,local6,local7"},
    {"syslog_ident", "postgres", Context::Sighup, Kind::Other, ""},
    {"syslog_sequence_numbers", "on", Context::Sighup, Kind::Bool, ""},
    {"syslog_split_messages", "on", Context::Sighup, Kind::Bool, ""},
    {"tcp_keepalives_count", "9", Context::User, Kind::Other, ""},
    {"tcp_keepalives_idle", "7200", Context::User, Kind::Other, ""},
    {"tcp_keepalives_interval", "75", Context::User, Kind::Other, ""},
    {"tcp_user_timeout", "0", Context::User, Kind::Other, ""},
    {"temp_buffers", "8MB", Context::User, Kind::Other, ""},
    {"temp_file_limit", "-1", Context::User, Kind::Other, ""},
    {"temp_tablespaces", "", Context::User, Kind::Other, ""},
    {"timezone", "UTC", Context::User, Kind::Other, ""},
    {"timezone_abbreviations", "Default", Context::User, Kind::Other, ""},
    {"trace_notify", "off", Context::User, Kind::Bool, ""},
    {"trace_recovery_messages", "log", Context::Sighup, Kind::Enum,
     "debug5,debug4,debug3,debug2,debug1,log,notice,warning,error"},
    {"trace_sort", "off", Context::User, Kind::Bool, ""},
    {"track_activities", "on", Context::User, Kind::Bool, ""},
    {"track_activity_query_size", "1kB", Context::Postmaster, Kind::Other, ""},
    {"track_commit_timestamp", "off", Context::Postmaster, Kind::Bool, ""},
    {"track_counts", "on", Context::User, Kind::Bool, ""},
    {"track_functions", "none", Context::User, Kind::Enum, "none,pl,all"},
    {"track_io_timing", "off", Context::User, Kind::Bool, ""},
    {"track_wal_io_timing", "off", Context::User, Kind::Bool, ""},
    {"transaction_deferrable", "off", Context::User, Kind::Bool, ""},
    {"transaction_isolation", "read committed", Context::User, Kind::Enum,
     "serializable,repeatable read,read committed,read uncommitted"},
    {"transaction_read_only", "off", Context::User, Kind::Bool, ""},
    {"transform_null_equals", "off", Context::User, Kind::Bool, ""},
    {"unix_socket_directories", "/var/run/postgresql", Context::Postmaster, Kind::Other, ""},
    {"unix_socket_group", "", Context::Postmaster, Kind::Other, ""},
    {"unix_socket_permissions", "0777", Context::Postmaster, Kind::Other, ""},
    {"update_process_title", "on", Context::User, Kind::Bool, ""},
    {"vacuum_cost_delay", "0", Context::User, Kind::Other, ""},
    {"vacuum_cost_limit", "200", Context::User, Kind::Other, ""},
    {"vacuum_cost_page_dirty", "20", Context::User, Kind::Other, ""},
    {"vacuum_cost_page_hit", "1", Context::User, Kind::Other, ""},
    {"vacuum_cost_page_miss", "2", Context::User, Kind::Other, ""},
    {"vacuum_defer_cleanup_age", "0", Context::Sighup, Kind::Other, ""},
    {"vacuum_failsafe_age", "1600000000", Context::User, Kind::Other, ""},
    {"vacuum_freeze_min_age", "50000000", Context::User, Kind::Other, ""},
    {"vacuum_freeze_table_age", "150000000", Context::User, Kind::Other, ""},
    {"vacuum_multixact_failsafe_age", "1600000000", Context::User, Kind::Other, ""},
    {"vacuum_multixact_freeze_min_age", "5000000", Context::User, Kind::Other, ""},
    {"vacuum_multixact_freeze_table_age", "150000000", Context::User, Kind::Other, ""},
    {"wal_block_size", "8192", Context::Internal, Kind::Other, ""},
    {"wal_buffers", "4MB", Context::Postmaster, Kind::Other, ""},
    {"wal_compression", "off", Context::User, Kind::Enum, "pglz,lz4,zstd,on,off"},
    {"wal_consistency_checking", "", Context::User, Kind::Other, ""},
    {"wal_decode_buffer_size", "512kB", Context::Postmaster, Kind::Other, ""},
    {"wal_init_zero", "on", Context::User, Kind::Bool, ""},
    {"wal_keep_size", "0", Context::Sighup, Kind::Other, ""},
    {"wal_level", "replica", Context::Postmaster, Kind::Enum, "minimal,replica,logical"},
    {"wal_log_hints", "off", Context::Postmaster, Kind::Bool, ""},
    {"wal_receiver_create_temp_slot", "off", Context::Sighup, Kind::Bool, ""},
    {"wal_receiver_status_interval", "10s", Context::Sighup, Kind::Other, ""},
    {"wal_receiver_timeout", "1min", Context::Sighup, Kind::Other, ""},
    {"wal_recycle", "on", Context::User, Kind::Bool, ""},
    {"wal_retrieve_retry_interval", "5s", Context::Sighup, Kind::Other, ""},
    {"wal_segment_size", "16MB", Context::Internal, Kind::Other, ""},
    {"wal_sender_timeout", "1min", Context::User, Kind::Other, ""},
    {"wal_skip_threshold", "2MB", Context::User, Kind::Other, ""},
    {"wal_sync_method", "fdatasync", Context::Sighup, Kind::Enum, "fsync,fdatasync,open_sync,open_datasync"},
    {"wal_writer_delay", "200ms", Context::Sighup, Kind::Other, ""},
    {"wal_writer_flush_after", "1MB", Context::Sighup, Kind::Other, ""},
    {"work_mem", "4MB", Context::User, Kind::Other, ""},
    {"xmlbinary", "base64", Context::User, Kind::Enum, "base64,hex"},
    {"xmloption", "content", Context::User, Kind::Enum, "content,document"},
    {"zero_damaged_pages", "off", Context::User, Kind::Bool, ""},
};

const PgSetting* find(std::string_view name) {
  auto it = std::lower_bound(std::begin(kSettings), std::end(kSettings), name,
                             [](const PgSetting& s, std::string_view n) { return s.name < n; });
  return it != std::end(kSettings) && it->name == name ? it : nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> values) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Parameters whose value changes results: 0A000 for a value (`v`: lower case) OmenDB does not implement,
// 22023 for one PostgreSQL refuses.
void check_implemented(const std::string& name, const std::string& value, const std::string& v) {
  auto refuse = [&](const std::string& what) {
    throw_unsupported("the setting " + name + " = " + value + " (" + what + ")");
  };
  if (name == "extra_float_digits") {
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size())
      throw SqlError(SqlState::InvalidParameterValue,
                     "invalid value for parameter \"extra_float_digits\": \"" + value + "\"");
    if (n < -15 || n > 3)
      throw SqlError(SqlState::InvalidParameterValue, std::to_string(n) +
                                                          " is outside the valid range for parameter "
                                                          "\"extra_float_digits\" (-15 .. 3)");
  } else if (name == "standard_conforming_strings") {
    if (!parse_bool_text(v).value_or(true)) refuse("backslashes in '...' strings are always literal");
  } else if (name == "client_encoding") {
    if (!one_of(v, {"utf8", "utf-8", "unicode"})) refuse("only UTF8 is implemented");
  } else if (name == "transform_null_equals" || name == "quote_all_identifiers" || name == "exit_on_error") {
    if (parse_bool_text(v).value_or(false)) refuse("only off is implemented");
  } else if (name == "array_nulls") {
    if (!parse_bool_text(v).value_or(true)) refuse("only on is implemented");
  } else if (name == "session_replication_role") {
    if (v != "origin") refuse("only origin is implemented: triggers and foreign keys always fire");
  } else if (name == "lc_monetary" || name == "lc_numeric" || name == "lc_time") {
    if (!one_of(v, {"", "c", "posix", "c.utf-8", "c.utf8"})) refuse("only the C locale is implemented");
  } else if (name == "timezone_abbreviations") {
    if (v != "default") refuse("only Default is implemented");
  }
}

}  // namespace

std::optional<std::string_view> pg_setting_default(std::string_view name) {
  if (const PgSetting* s = find(name)) return s->default_text;
  return std::nullopt;
}

void check_pg_setting(const std::string& name, const std::string& value, bool reset) {
  if (name == "seed") throw_unsupported("SET seed (use setseed())");
  const PgSetting* s = find(name);
  if (!s) {
    // PostgreSQL accepts any "prefix.name" as a placeholder for an extension's parameter; OmenDB's own
    // prefix has only the parameters the engine implements.
    if (name.find('.') != std::string::npos && !name.starts_with("omendb.")) return;
    throw SqlError(SqlState::UndefinedObject, "unrecognized configuration parameter \"" + name + "\"");
  }
  switch (s->context) {
    case Context::Internal:
      throw SqlError(SqlState::CantChangeRuntimeParam, "parameter \"" + name + "\" cannot be changed");
    case Context::Postmaster:
      throw SqlError(SqlState::CantChangeRuntimeParam,
                     "parameter \"" + name + "\" cannot be changed without restarting the server");
    case Context::Sighup:
      throw SqlError(SqlState::CantChangeRuntimeParam, "parameter \"" + name + "\" cannot be changed now");
    case Context::Backend:
      throw SqlError(SqlState::CantChangeRuntimeParam,
                     "parameter \"" + name + "\" cannot be set after connection start");
    case Context::User:
      break;
  }
  if (reset) return;
  const std::string v = lower(value);
  if (s->kind == Kind::Bool && !parse_bool_text(v)) {
    throw SqlError(SqlState::InvalidParameterValue, "parameter \"" + name + "\" requires a Boolean value");
  }
  if (s->kind == Kind::Enum && !parse_bool_text(v)) {  // several enumerations take on / off too
    bool found = false;
    std::string hint;
    std::string_view rest = s->enum_values;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      found = found || item == v;
      hint += (hint.empty() ? "" : ", ") + std::string(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (!found) {
      throw SqlError(SqlState::InvalidParameterValue,
                     "invalid value for parameter \"" + name + "\": \"" + value + "\"")
          .with_hint("Available values: " + hint + ".");
    }
  }
  check_implemented(name, value, v);
}

}  // namespace omendb::engine
