// Every runtime function that generated code may call, declared once. codegen derives each LLVM
// declaration from the C++ signature through OMENDB_RUNTIME_FUNCTIONS, so the two cannot disagree, and
// registers each one wrapped in runtime::Guard (guard.h), so no exception ever unwinds through
// generated code: a function may throw SqlError (or bad_alloc); the guard records it in the query.
// Conventions: the QueryState comes first; text is passed as (pointer, length) pairs and returned
// through a StrRef out-pointer; booleans are int32_t; a function returning int32_t returns 0 (and a
// pointer nullptr) when the query must stop (error or cancel): generated code then returns at once.
#pragma once

#include <cstdint>

#include "common/datum.h"
#include "runtime/query_state.h"
#include "storage/column_batch.h"

namespace omendb::runtime {

extern "C" {
// Errors raised by generated code (ErrorKind).
void rt_fail(QueryState* qs, int32_t kind);

// Scans. Generated code appends the range's encoded bound values, then opens the cursor.
// which: 0 = lower bound buffer, 1 = upper bound buffer, 2 = both (equality prefix).
void rt_key_int(QueryState* qs, int32_t scan, int32_t which, int64_t v);
void rt_key_double(QueryState* qs, int32_t scan, int32_t which, double v);
void rt_key_text(QueryState* qs, int32_t scan, int32_t which, const char* p, uint64_t n);
void rt_key_bool(QueryState* qs, int32_t scan, int32_t which, int32_t v);
void rt_key_numeric(QueryState* qs, int32_t scan, int32_t which, const char* p, uint64_t n);
// Zone-map bounds: the value of the scan's zone bound `index` (ScanSpec::zone), or nothing when NULL.
void rt_zone_int(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, int64_t v);
void rt_zone_double(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, double v);
void rt_zone_text(QueryState* qs, int32_t scan, int32_t index, int32_t is_null, const char* p, uint64_t n);
// lower_mode: 0 = from the lower buffer (inclusive), 1 = after every key with the lower prefix.
// upper_mode: 0 = unbounded (or the end of the equality prefix if the upper buffer is non-empty),
//             1 = through every key with the upper prefix, 2 = before the upper prefix.
void rt_scan_open(QueryState* qs, int32_t scan, int32_t lower_mode, int32_t upper_mode);
// The next batch, or null at the end, on error or on cancel (then status is set).
const storage::ColumnBatch* rt_scan_next(QueryState* qs, int32_t scan);

// Cancel and statement_timeout for loops that call no other runtime function for long (a nested loop
// join's pass over the build rows calls it every few thousand rows). 0: stop.
int32_t rt_check_interrupts(QueryState* qs);

// Result rows: QueryState::out holds the values.
int32_t rt_emit_row(QueryState* qs);

// DML on target table `target`: QueryState::row holds the new row (table column order). rt_update and
// rt_delete return 1 when they wrote the row, 2 when they left it for the READ COMMITTED re-check, 3 when
// `once` is set and this run of the statement already had the row (UPDATE ... FROM / DELETE ... USING
// joining it with several rows: it is written and counted once, ExecContext::once_keys).
int32_t rt_insert(QueryState* qs, int32_t target);
// The row in QueryState::row failed CHECK constraint `check` (TableDef::checks) of target `target`:
// records 23514 (23502 if a NOT NULL column is NULL) and returns 0.
int32_t rt_check_failed(QueryState* qs, int32_t target, int32_t check);
// The row in QueryState::row, written through view `view` (a NUL-terminated name), is not one the view's
// WITH CHECK OPTION allows: records 44000 and returns 0.
int32_t rt_view_check_failed(QueryState* qs, int32_t target, const char* view);
int32_t rt_update(QueryState* qs, int32_t target, const char* key, uint64_t key_len, int32_t once);
int32_t rt_delete(QueryState* qs, int32_t target, const char* key, uint64_t key_len, int32_t once);
// SELECT ... FOR UPDATE / SHARE: locks the row (strength: storage::RowLockMode, wait:
// storage::LockWaitMode). 1: locked, 2: skip the row (SKIP LOCKED), 0: stop (an error; or at READ
// COMMITTED the row changed since the snapshot and ExecContext::restart asks for a new run).
int32_t rt_lock_row(QueryState* qs, int32_t target, int32_t strength, int32_t wait, const char* key,
                    uint64_t key_len);
// INSERT ... ON CONFLICT (storage::StatementWriter::upsert): QueryState::row holds the proposed row.
// Returns 0 to stop, 1 when the row was inserted or skipped, 2 on a conflict to resolve by DO UPDATE:
// *existing then points to the conflicting row (table column order), and the generated code fills
// QueryState::row with the updated row and calls rt_upsert_update (or nothing when its WHERE fails).
// action: 0 DO NOTHING, 1 DO UPDATE, 2 DO UPDATE whose SET may change the primary key.
int32_t rt_upsert(QueryState* qs, int32_t target, int32_t action, const Datum** existing);
int32_t rt_upsert_update(QueryState* qs, int32_t target);

// Sort: rt_sort_row returns a row of Datums to fill, rt_sort_row_done copies its text.
Datum* rt_sort_row(QueryState* qs, int32_t slot);
void rt_sort_row_done(QueryState* qs, int32_t slot);
// Top-N: only the first `rows` rows of the sort are needed (rows < 0: all).
void rt_sort_set_limit(QueryState* qs, int32_t slot, int64_t rows);
// Sorts (once) and returns the row count; rt_sort_rows the first row (rows are contiguous).
uint64_t rt_sort_finish(QueryState* qs, int32_t slot);
const Datum* rt_sort_rows(QueryState* qs, int32_t slot);

// WITH RECURSIVE (runtime::RecursiveUnion, by slot): rt_rec_row returns the row to fill, rt_rec_row_done
// adds it to the next working table (text copied; UNION drops a row equal to one kept before);
// rt_rec_advance makes the rows added so far the working table and returns their count; rt_rec_iterate
// runs the recursive term's pipelines once over the working table (after a check for a cancel and
// statement_timeout), then advances: the new working table's row count (0 when the iteration added no
// row, and after an error). rt_rec_rows is the working table's first row (rows are contiguous), rt_rec_count
// its row count.
Datum* rt_rec_row(QueryState* qs, int32_t slot);
void rt_rec_row_done(QueryState* qs, int32_t slot);
uint64_t rt_rec_advance(QueryState* qs, int32_t slot);
uint64_t rt_rec_iterate(QueryState* qs, int32_t slot);
const Datum* rt_rec_rows(QueryState* qs, int32_t slot);
uint64_t rt_rec_count(QueryState* qs, int32_t slot);

// Window (runtime::WindowBuffer): rt_window_row returns a row to fill with the input columns,
// rt_window_row_done copies its text; rt_window_set_frame gives function `func` its frame offsets (NULL
// flags non-zero: 22004; negative: 22013); rt_window_finish sorts, computes every function and returns
// the row count (0 after an error or a cancel), rt_window_rows the first row (input columns, then one
// Datum per function; rows are contiguous).
Datum* rt_window_row(QueryState* qs, int32_t slot);
void rt_window_row_done(QueryState* qs, int32_t slot);
void rt_window_set_frame(QueryState* qs, int32_t slot, int32_t func, int64_t start, int32_t start_null,
                         int64_t end, int32_t end_null);
uint64_t rt_window_finish(QueryState* qs, int32_t slot);
const Datum* rt_window_rows(QueryState* qs, int32_t slot);

// Whole-input aggregates: zero-initialised state (layout: codegen's aggregate translator).
Datum* rt_agg_state(QueryState* qs, int32_t slot);
void rt_agg_set_text(QueryState* qs, int32_t slot, int32_t index, const char* p, uint64_t n);

// x IN (long list): InSet::kFound / kNotFound / kNotFoundButNull (the list has a NULL), 0 to stop.
int32_t rt_in_int(QueryState* qs, int32_t set, int64_t v);
int32_t rt_in_double(QueryState* qs, int32_t set, double v);
int32_t rt_in_text(QueryState* qs, int32_t set, const char* p, uint64_t n);

// Subqueries used as expressions. A one-row result: rt_subq_row returns the row's Datums to fill (null
// and 21000 when a row is already there), rt_subq_row_done copies its text; rt_subq_result returns the
// row (all NULL without one). A set (InSet filled from rows): rt_in_add_* adds a value (1; 0 to stop).
Datum* rt_subq_row(QueryState* qs, int32_t slot);
void rt_subq_row_done(QueryState* qs, int32_t slot);
const Datum* rt_subq_result(QueryState* qs, int32_t slot);
// A correlated scalar subquery (a single-match left join) found a second row: raises 21000; returns 0.
int32_t rt_subquery_rows(QueryState* qs);
// ExprOp::Apply: runs correlated subquery `index` for the current row (ExecContext::run_correlated) once
// its outer values are in QueryState::outer; 1, or 0 to stop (an error inside it).
int32_t rt_apply_subquery(QueryState* qs, int32_t index);
int32_t rt_in_add_int(QueryState* qs, int32_t set, int32_t is_null, int64_t v);
int32_t rt_in_add_double(QueryState* qs, int32_t set, int32_t is_null, double v);
int32_t rt_in_add_text(QueryState* qs, int32_t set, int32_t is_null, const char* p, uint64_t n);

// Hash aggregates (aggregation_hash_table.h): generated code hashes a row's keys (text through
// rt_hash_bytes), writes them to a buffer of Datums and gets the group's row, to update in place (null:
// out of memory, stop). rt_agg_ht_set_text copies a text state into the table. Reading: row i is
// rt_agg_ht_rows + i * max(width, 1) Datums, for i < rt_agg_ht_size.
uint64_t rt_hash_bytes(QueryState* qs, const char* p, uint64_t n);
Datum* rt_agg_ht_find_or_insert(QueryState* qs, int32_t slot, uint64_t hash, const Datum* keys);
void rt_agg_ht_set_text(QueryState* qs, int32_t slot, Datum* d, const char* p, uint64_t n);
uint64_t rt_agg_ht_size(QueryState* qs, int32_t slot);
const Datum* rt_agg_ht_rows(QueryState* qs, int32_t slot);

// Joins (join_hash_table.h): the build pipeline stores a row's Datums (keys first) in a buffer and
// inserts it with its key hash (linked = 0 when a key is NULL: never found); the probe pipeline calls
// rt_join_ht_finish once (0: stop), then walks rt_join_ht_directory()[hash & rt_join_ht_mask()]
// chains, or the rt_join_ht_size() entries of rt_join_ht_entries(), inline.
int32_t rt_join_ht_insert(QueryState* qs, int32_t slot, uint64_t hash, const Datum* values, int32_t linked);
int32_t rt_join_ht_finish(QueryState* qs, int32_t slot);
void* const* rt_join_ht_directory(QueryState* qs, int32_t slot);
uint64_t rt_join_ht_mask(QueryState* qs, int32_t slot);
void* const* rt_join_ht_entries(QueryState* qs, int32_t slot);
uint64_t rt_join_ht_size(QueryState* qs, int32_t slot);
void* rt_join_ht_null_entry(QueryState* qs, int32_t slot);

// Text.
int32_t rt_text_cmp(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn);
// bpchar: its order and grouping hash (trailing spaces not significant: bpchar_significant) and the
// length of its text (bpchar -> text drops the trailing spaces).
int32_t rt_bpchar_cmp(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn);
uint64_t rt_hash_bpchar(QueryState* qs, const char* p, uint64_t n);
uint64_t rt_bpchar_length(QueryState* qs, const char* p, uint64_t n);
void rt_concat(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn, StrRef* out);
void rt_int_to_text(QueryState* qs, int64_t v, StrRef* out);
void rt_double_to_text(QueryState* qs, double v, StrRef* out);
void rt_float4_to_text(QueryState* qs, double v, StrRef* out);  // float4out of a real held as a double
void rt_bool_to_text(QueryState* qs, int32_t v, StrRef* out);
// Parsing text; return 0 (and set 22P02 / 22003) when the text is not a valid value.
int32_t rt_text_to_int32(QueryState* qs, const char* p, uint64_t n, int32_t* out);
int32_t rt_text_to_int16(QueryState* qs, const char* p, uint64_t n, int32_t* out);  // int2in, into an int4
int32_t rt_text_to_int64(QueryState* qs, const char* p, uint64_t n, int64_t* out);
int32_t rt_text_to_double(QueryState* qs, const char* p, uint64_t n, double* out);
int32_t rt_text_to_float4(QueryState* qs, const char* p, uint64_t n, double* out);  // float4in
int32_t rt_text_to_bool(QueryState* qs, const char* p, uint64_t n, int32_t* out);
// double precision -> integer / bigint (TypeId `to`): mathsql::float8_to_int (22003 when it does not fit).
// Returns 0 (and sets the error) when it does not fit.
int32_t rt_double_to_int(QueryState* qs, double v, int32_t to, int64_t* out);

// Date/time (common/datetime_sql.h): dtsql::Func `func` over non-NULL args (Datums of its signature's
// types) into *out (is_null set for NULL results); a cast between `from` and `to` (TypeIds), text in
// and out included. Text results live in the query's arena. Return 0 on error (22007, 22008 ...).
int32_t rt_datetime(QueryState* qs, int32_t func, const Datum* args, Datum* out);
int32_t rt_datetime_cast(QueryState* qs, int32_t from, int32_t to, const Datum* in, Datum* out);
// Interval comparison (-1, 0, 1) and grouping hash: months count 30 days, days 24 hours. `dm` is the
// Datum's DayMonth word (days in the low 32 bits, months in the high ones).
int32_t rt_interval_cmp(QueryState* qs, int64_t a_time, int64_t a_dm, int64_t b_time, int64_t b_dm);
uint64_t rt_hash_interval(QueryState* qs, int64_t time, int64_t dm);

// Catalog function catalog::Func `func` over `args` (Datums of its signature's types) into *out (text in
// the query's arena). Return 0 on error.
int32_t rt_catalog_func(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out);
// Casts involving oid, name and "char" (TypeIds `from`, `to`): *in is not NULL. Return 0 on error.
int32_t rt_catalog_cast(QueryState* qs, int32_t from, int32_t to, const Datum* in, Datum* out);
// Pattern match (regex.h MatchFlags): 1 when the result is true, 2 when false, 0 on error (2201B ...).
int32_t rt_match(QueryState* qs, int32_t flags, const char* s, uint64_t sn, const char* p, uint64_t pn);
// x op ANY / ALL (patterns), flags with kMatchAny or kMatchAll: `a` is a text[] of patterns; `s_null` when x
// is NULL. 1 true, 2 false, 3 NULL, 0 on error.
int32_t rt_match_array(QueryState* qs, int32_t flags, int32_t s_null, const char* s, uint64_t sn,
                       const char* a, uint64_t an);
// Numeric (common/numeric.h): num::Func `func` over non-NULL args into *out, a numeric in the query's
// arena; a cast between `from` and `to` (TypeIds; numeric <-> integers, double precision, text, and
// numeric -> numeric(typmod) when typmod >= 0). Return 0 on error (22003, 22012, 22P02 ...).
int32_t rt_numeric(QueryState* qs, int32_t func, const Datum* args, Datum* out);
int32_t rt_numeric_cast(QueryState* qs, int32_t from, int32_t to, int32_t typmod, const Datum* in,
                        Datum* out);
// Numeric order (-1, 0, 1; 1.0 = 1.00, NaN last) and grouping hash (runtime::hash_numeric).
int32_t rt_numeric_cmp(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn);
// Mathematical functions and operators (common/math_sql.h): mathsql::Func `func` over non-NULL args
// (Datums of its signature's types) into *out (numeric results in the query's arena). Return 0 on error
// (2201E, 2201F, 22003, 22012 ...).
int32_t rt_math(QueryState* qs, int32_t func, const Datum* args, Datum* out);
uint64_t rt_hash_numeric(QueryState* qs, const char* p, uint64_t n);
// sum()/avg() producing numeric: `state` is the aggregate's value Datum, whose i64 holds the query-owned
// num::Accumulator (0 until the first value). rt_numeric_accum adds a numeric, rt_numeric_accum_int an
// integer; rt_numeric_accum_result writes the sum (avg = 0) or average (avg = 1) into *out (NULL
// when no value was added). Return 0 on error.
int32_t rt_numeric_accum(QueryState* qs, Datum* state, const char* p, uint64_t n);
int32_t rt_numeric_accum_int(QueryState* qs, Datum* state, int64_t v);
int32_t rt_numeric_accum_result(QueryState* qs, const Datum* state, int32_t avg, Datum* out);
// var_samp / var_pop / stddev_samp / stddev_pop over integers or numeric (num::variance): state[0] and
// state[2] hold the query-owned accumulators of the values and of their squares (0 until the first value).
// rt_numeric_var_accum adds *value (numeric when `numeric`, else an int64); rt_numeric_var_result writes
// the result of `form` (1: sample, 2: square root) into *out (NULL when undefined). Return 0 on error.
int32_t rt_numeric_var_accum(QueryState* qs, Datum* state, int32_t numeric, const Datum* value);
int32_t rt_numeric_var_result(QueryState* qs, const Datum* state, int32_t form, Datum* out);
// bytea / uuid functions and casts (common/bytea.h): bytea::Func `func` over `nargs` non-NULL args into
// *out (text and bytes in the query's arena). Return 0 on error.
int32_t rt_bytes(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out);
// String functions (common/text_sql.h; the regular-expression ones in regex.h): textsql::Func `func` over
// `nargs` args (NULLs reach only the functions that are not strict) into *out (text, arrays in the query's
// arena). Return 0 on error.
int32_t rt_text(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out);
// json / jsonb operators, functions and casts (common/json.h): json::Func `func` over `nargs` args (each
// function's NULL rules) into *out (text and bytes in the query's arena); rt_jsonb_cmp / rt_hash_jsonb:
// jsonb's order (-1, 0, 1) and grouping hash. Return 0 on error.
int32_t rt_json(QueryState* qs, int32_t func, const Datum* args, int32_t nargs, Datum* out);
int32_t rt_jsonb_cmp(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn);
uint64_t rt_hash_jsonb(QueryState* qs, const char* p, uint64_t n);
// Arrays (common/array.h). rt_array: operation arr::code `code` over args (each operation's NULL
// rules; *out is_null preset); rt_array_cast: a cast where `from` or `to` is an array type (*in not
// NULL); rt_array_cmp / rt_hash_array: order (-1, 0, 1) and grouping hash of arrays of type `type`.
// array_agg: `state` is the aggregate's value Datum, whose i64 holds the query-owned arr::Builder (0
// until the first row); NULL elements are added too; the result is NULL without rows. Return 0 on error.
int32_t rt_array(QueryState* qs, int64_t code, const Datum* args, int32_t nargs, Datum* out);
int32_t rt_array_cast(QueryState* qs, int32_t from, int32_t to, const Datum* in, Datum* out);
int32_t rt_array_cmp(QueryState* qs, int32_t type, const char* a, uint64_t an, const char* b, uint64_t bn);
uint64_t rt_hash_array(QueryState* qs, int32_t type, const char* p, uint64_t n);
int32_t rt_array_accum(QueryState* qs, Datum* state, int32_t element, const Datum* value);
int32_t rt_array_accum_result(QueryState* qs, const Datum* state, Datum* out);
// Order-sensitive aggregates (runtime/ordered_aggregate.h): `state` is the aggregate's value Datum, whose
// i64 holds the query-owned OrderedValues (0 until the first row). rt_ordered_agg_add appends `row` (the
// Datums of QueryLayout::ordered_aggs[spec]); rt_ordered_agg_result writes OrderedFunc `func`'s result into
// *out (NULL without rows); `arg` is its direct argument (percentile_cont's fraction). Return 0 on error
// (53200; 22003 for a fraction outside [0, 1]).
int32_t rt_ordered_agg_add(QueryState* qs, int32_t spec, Datum* state, const Datum* row);
int32_t rt_ordered_agg_result(QueryState* qs, int32_t spec, int32_t func, const Datum* state,
                              const Datum* arg, Datum* out);
}

// X(name) for every function above, in one list.
// (clang-format does not reach a fixed point on this macro)
// clang-format off
#define OMENDB_RUNTIME_FUNCTIONS(X) \
  X(rt_fail) X(rt_key_int) X(rt_key_double) X(rt_key_text) X(rt_key_bool) X(rt_key_numeric) X(rt_zone_int) X(rt_zone_double) \
  X(rt_zone_text) X(rt_scan_open) \
  X(rt_scan_next) X(rt_emit_row) X(rt_insert) X(rt_check_failed) X(rt_view_check_failed) X(rt_update) X(rt_delete) X(rt_lock_row) X(rt_sort_row) \
  X(rt_sort_row_done) X(rt_sort_set_limit) X(rt_sort_finish) X(rt_sort_rows) X(rt_agg_state) X(rt_agg_set_text) \
  X(rt_hash_bytes) X(rt_agg_ht_find_or_insert) X(rt_agg_ht_set_text) X(rt_agg_ht_size) X(rt_agg_ht_rows) \
  X(rt_join_ht_insert) X(rt_join_ht_finish) X(rt_join_ht_directory) X(rt_join_ht_mask) \
  X(rt_join_ht_entries) X(rt_join_ht_size) X(rt_join_ht_null_entry) \
  X(rt_text_cmp) X(rt_bpchar_cmp) X(rt_hash_bpchar) X(rt_bpchar_length) X(rt_concat) X(rt_int_to_text) X(rt_double_to_text) X(rt_float4_to_text) X(rt_bool_to_text) \
  X(rt_text_to_int32) X(rt_text_to_int16) X(rt_text_to_int64) X(rt_text_to_double) X(rt_text_to_float4) X(rt_text_to_bool) X(rt_double_to_int) \
  X(rt_in_int) X(rt_in_double) X(rt_in_text) X(rt_datetime) X(rt_datetime_cast) X(rt_interval_cmp) \
  X(rt_hash_interval) X(rt_catalog_func) X(rt_catalog_cast) X(rt_match) X(rt_match_array) X(rt_upsert) \
  X(rt_upsert_update) X(rt_subq_row) X(rt_subq_row_done) X(rt_subq_result) X(rt_subquery_rows) X(rt_apply_subquery) X(rt_in_add_int) \
  X(rt_in_add_double) X(rt_in_add_text) X(rt_check_interrupts) \
  X(rt_numeric) X(rt_numeric_cast) X(rt_numeric_cmp) X(rt_hash_numeric) X(rt_numeric_accum) \
  X(rt_numeric_accum_int) X(rt_numeric_accum_result) X(rt_window_row) X(rt_window_row_done) \
  X(rt_window_set_frame) X(rt_window_finish) X(rt_window_rows) X(rt_array) X(rt_array_cast) X(rt_array_cmp) \
  X(rt_hash_array) X(rt_array_accum) X(rt_array_accum_result) X(rt_bytes) X(rt_text) \
  X(rt_json) X(rt_jsonb_cmp) X(rt_hash_jsonb) \
  X(rt_ordered_agg_add) X(rt_ordered_agg_result) X(rt_numeric_var_accum) X(rt_numeric_var_result) \
  X(rt_math) X(rt_rec_row) X(rt_rec_row_done) X(rt_rec_advance) X(rt_rec_iterate) X(rt_rec_rows) X(rt_rec_count)
// clang-format on

}  // namespace omendb::runtime
