// Dictionary for low-cardinality text (regions, hosts, status words): each distinct string once, then
// one code per row, either run-length encoded (sorted or clustered data) or bit packed, whichever is
// smaller. Decoded StrRefs point into the dictionary bytes of the input: no copy, no allocation per row.
//   varint dictionary size d (1 <= d <= n when n > 0)
//   packed run of d lengths, then the d strings' bytes back to back
//   u8 mode
//     0: packed run of n codes (each < d)
//     1: varint run count r, packed run of r codes, packed run of r run lengths (each >= 1, sum n)
#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/columnar/bitpack.h"
#include "storage/columnar/codecs_internal.h"

namespace omendb::storage::columnar::internal {

namespace {

constexpr uint8_t kPackedCodes = 0;
constexpr uint8_t kRuns = 1;

class DictionaryCodec final : public Codec {
 public:
  CodecId id() const override { return CodecId::Dictionary; }
  std::string_view name() const override { return "dictionary"; }
  bool supports(TypeId type) const override { return type == TypeId::Text; }

  void encode(TypeId type, const void* values, uint64_t n, std::string& out) const override {
    auto* v = static_cast<const StrRef*>(values);
    std::unordered_map<std::string_view, int64_t> index;
    std::vector<std::string_view> dict;
    std::vector<int64_t> codes(n);
    for (uint64_t i = 0; i < n; ++i) {
      auto [it, inserted] = index.try_emplace(v[i].view(), static_cast<int64_t>(dict.size()));
      if (inserted) dict.push_back(v[i].view());
      codes[i] = it->second;
    }
    put_varint(out, dict.size());
    std::vector<int64_t> lengths;
    lengths.reserve(dict.size());
    for (auto s : dict) lengths.push_back(static_cast<int64_t>(s.size()));
    pack_int64(lengths.data(), lengths.size(), out);
    for (auto s : dict) out.append(s);

    std::vector<int64_t> run_codes, run_lengths;
    for (uint64_t i = 0; i < n; ++i) {
      if (i > 0 && codes[i] == run_codes.back()) {
        ++run_lengths.back();
      } else {
        run_codes.push_back(codes[i]);
        run_lengths.push_back(1);
      }
    }
    std::string packed, runs;
    pack_int64(codes.data(), n, packed);
    put_varint(runs, run_codes.size());
    pack_int64(run_codes.data(), run_codes.size(), runs);
    pack_int64(run_lengths.data(), run_lengths.size(), runs);
    if (runs.size() < packed.size()) {
      put_u8(out, kRuns);
      out += runs;
    } else {
      put_u8(out, kPackedCodes);
      out += packed;
    }
  }

  // A partial decode reads the whole dictionary; packed codes are read for its chunks only, runs are all
  // read (they are few: the mode is chosen when they are smaller than packed codes) and checked.
  Status decode_chunks(TypeId type, std::string_view in, uint64_t n, uint64_t first, uint64_t end,
                       void* out) const override {
    if (!supports(type)) return Status::invalid_argument("dictionary codec: unsupported type");
    ChunkRows rows;
    if (!chunk_rows(n, first, end, rows))
      return Status::invalid_argument("dictionary codec: bad chunk range");
    auto* o = static_cast<StrRef*>(out);
    Reader r(in);
    uint64_t d;
    if (!r.varint(d) || d > n || (n > 0 && d == 0)) return Status::corruption("dictionary: bad size");
    std::vector<StrRef> dict(d);
    uint64_t total = 0;
    bool ok = unpack_int64(r, d, [&](size_t start, size_t len, uint64_t min, const uint64_t* l) {
      for (size_t i = 0; i < len; ++i) {
        uint64_t s = min + l[i];
        dict[start + i].len = s;
        // saturate: a length sum beyond the input is caught below
        total = s > in.size() || total + s > in.size() ? in.size() + 1 : total + s;
      }
    });
    const uint8_t* bytes;
    if (!ok || total > in.size() || !r.bytes(total, bytes))
      return Status::corruption("dictionary: bad entries");
    for (uint64_t i = 0; i < d; ++i) {
      dict[i].ptr = reinterpret_cast<const char*>(bytes);
      bytes += dict[i].len;
    }
    uint8_t mode;
    if (!r.u8(mode)) return Status::corruption("dictionary: no code mode");
    bool bad_code = false;
    if (mode == kPackedCodes) {
      ok = unpack_int64(r, n, first, end, [&](size_t start, size_t len, uint64_t min, const uint64_t* c) {
        for (size_t i = 0; i < len; ++i) {
          uint64_t code = min + c[i];
          bad_code |= code >= d;
          o[start + i] = dict[code < d ? code : 0];
        }
      });
    } else if (mode == kRuns) {
      uint64_t runs;
      if (!r.varint(runs) || runs > n || (n > 0 && runs == 0))
        return Status::corruption("dictionary: bad runs");
      std::vector<uint64_t> run_codes(runs);
      ok = unpack_int64_to(r, runs, run_codes.data());
      uint64_t row = 0;
      ok = ok && unpack_int64(r, runs, [&](size_t start, size_t len, uint64_t min, const uint64_t* l) {
             for (size_t i = 0; i < len; ++i) {
               uint64_t run = min + l[i], code = run_codes[start + i];
               if (code >= d || run == 0 || run > n - row) {
                 bad_code = true;
                 return;
               }
               const uint64_t lo = std::max(row, rows.from), hi = std::min(row + run, rows.to);
               for (uint64_t j = lo; j < hi; ++j) o[j] = dict[code];
               row += run;
             }
           });
      bad_code |= row != n;
    } else {
      return Status::corruption("dictionary: unknown code mode");
    }
    if (!ok || bad_code || r.remaining() != 0) return Status::corruption("dictionary: malformed codes");
    return Status::ok();
  }
};

}  // namespace

const Codec& dictionary_codec() {
  static const DictionaryCodec codec;
  return codec;
}

}  // namespace omendb::storage::columnar::internal
