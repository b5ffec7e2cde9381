#include "runtime/in_set.h"

#include <cmath>
#include <cstring>
#include <string>

#include "common/numeric.h"

namespace omendb::runtime {

InSet::~InSet() {
  if (memory_) memory_->release(reserved_);
}

uint64_t InSet::double_key(double v) {
  if (std::isnan(v)) v = std::nan("");  // every NaN is equal to every other
  if (v == 0.0) v = 0.0;                // -0.0 = 0.0
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

void InSet::build(const Datum* params) {
  if (spec_.from_rows) {  // filled by add_*, which ran before the first probe
    built_ = true;
    return;
  }
  // Roughly what an unordered_set node and bucket take per element.
  uint64_t bytes = spec_.params.size() * 48;
  if (memory_) memory_->reserve(bytes);
  reserved_ = bytes;
  has_null_ = spec_.has_null;
  for (int p : spec_.params) {
    const Datum& d = params[p];
    if (d.is_null) {
      has_null_ = true;
      continue;
    }
    switch (spec_.type) {
      case TypeId::Float32:
      case TypeId::Float64:
        doubles_.insert(double_key(d.f64));
        break;
      case TypeId::Text:
      case TypeId::Unknown:
      case TypeId::Name:
      case TypeId::Char:
      case TypeId::Bytea:
      case TypeId::Uuid:
        texts_.insert(std::string_view(d.str.ptr, d.str.len));
        break;
      default:
        ints_.insert(d.i64);
        break;
    }
  }
  built_ = true;
}

void InSet::reserve_element(size_t text_bytes) {
  constexpr uint64_t kPerElement = 48;  // roughly an unordered_set node and bucket
  if (memory_) memory_->reserve(kPerElement);
  reserved_ += kPerElement;
  if (text_bytes > 0 && !text_) text_ = std::make_unique<Arena>(memory_);
}

void InSet::add_int(int64_t v) {
  if (ints_.count(v)) return;
  reserve_element(0);
  ints_.insert(v);
}

void InSet::add_double(double v) {
  uint64_t key = double_key(v);
  if (doubles_.count(key)) return;
  reserve_element(0);
  doubles_.insert(key);
}

// A numeric's bytes without its display scale (zeroed): 1.0 and 1.00 are one element (common/numeric.h).
static std::string_view numeric_identity(std::string_view v, std::string& buf) {
  if (v.size() < num::kDscaleOffset + 2) return v;
  buf.assign(v);
  buf[num::kDscaleOffset] = buf[num::kDscaleOffset + 1] = 0;
  return buf;
}

void InSet::add_text(std::string_view v) {
  std::string buf;
  if (spec_.type == TypeId::Numeric) v = numeric_identity(v, buf);
  if (texts_.count(v)) return;
  reserve_element(v.size() + 1);
  StrRef copy = text_->copy(v.data(), v.size());
  texts_.insert(std::string_view(copy.ptr, copy.len));
}

int32_t InSet::probe_int(const Datum* params, int64_t v) {
  if (!built_) build(params);
  return answer(ints_.count(v) != 0);
}

int32_t InSet::probe_double(const Datum* params, double v) {
  if (!built_) build(params);
  return answer(doubles_.count(double_key(v)) != 0);
}

int32_t InSet::probe_text(const Datum* params, std::string_view v) {
  if (!built_) build(params);
  std::string buf;
  if (spec_.type == TypeId::Numeric) v = numeric_identity(v, buf);
  return answer(texts_.count(v) != 0);
}

}  // namespace omendb::runtime
