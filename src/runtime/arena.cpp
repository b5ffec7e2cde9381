#include "runtime/arena.h"

#include <algorithm>
#include <cstring>

namespace omendb::runtime {

namespace {
constexpr size_t kArenaBlock = 64 * 1024;
}

Arena::~Arena() {
  if (memory_)
    for (size_t s : sizes_) memory_->release(s);
}

char* Arena::allocate(size_t bytes) {
  if (bytes == 0) bytes = 1;
  while (block_ < blocks_.size()) {
    if (used_ + bytes <= sizes_[block_]) {
      char* p = blocks_[block_].get() + used_;
      used_ += bytes;
      return p;
    }
    ++block_;
    used_ = 0;
  }
  size_t size = std::max(kArenaBlock, bytes);
  if (memory_) memory_->reserve(size);
  try {
    blocks_.push_back(std::unique_ptr<char[]>(new char[size]));
    sizes_.push_back(size);
  } catch (...) {
    if (memory_) memory_->release(size);
    if (blocks_.size() > sizes_.size()) blocks_.pop_back();
    throw;
  }
  block_ = blocks_.size() - 1;
  used_ = bytes;
  return blocks_.back().get();
}

StrRef Arena::copy(const char* data, size_t len) {
  char* p = allocate(len);
  if (len) std::memcpy(p, data, len);
  return StrRef{p, len};
}

void Arena::swap(Arena& other) noexcept {
  blocks_.swap(other.blocks_);
  sizes_.swap(other.sizes_);
  std::swap(block_, other.block_);
  std::swap(used_, other.used_);
}

void Arena::reset() {
  if (blocks_.size() > 1) {  // keep one block, drop the rest so a big query does not pin memory
    if (memory_)
      for (size_t i = 1; i < sizes_.size(); ++i) memory_->release(sizes_[i]);
    blocks_.resize(1);
    sizes_.resize(1);
  }
  block_ = 0;
  used_ = 0;
}

}  // namespace omendb::runtime
