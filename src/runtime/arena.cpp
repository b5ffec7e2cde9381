#include "runtime/arena.h"

#include <algorithm>
#include <cstring>

namespace omendb::runtime {

namespace {
constexpr size_t kArenaBlock = 64 * 1024;
constexpr size_t kArenaMaxBlock = 32 << 20;
}  // namespace

Arena::~Arena() {
  free_blocks(0);
}

void Arena::free_blocks(size_t from) noexcept {
  for (size_t i = from; i < blocks_.size(); ++i) {
    large_free(blocks_[i], sizes_[i]);
    if (memory_) memory_->release(sizes_[i]);
    total_ -= sizes_[i];
  }
  blocks_.resize(std::min(from, blocks_.size()));
  sizes_.resize(blocks_.size());
}

char* Arena::allocate(size_t bytes) {
  if (bytes == 0) bytes = 1;
  while (block_ < blocks_.size()) {
    if (used_ + bytes <= sizes_[block_]) {
      char* p = blocks_[block_] + used_;
      used_ += bytes;
      return p;
    }
    ++block_;
    used_ = 0;
  }
  // Geometric growth: the arena doubles with each new block (up to kArenaMaxBlock per block).
  size_t size = std::max({kArenaBlock, bytes, std::min(total_, kArenaMaxBlock)});
  if (size >= kLargeAllocBytes) size = (size + kLargeAllocBytes - 1) & ~(kLargeAllocBytes - 1);
  if (memory_) memory_->reserve(size);
  char* block = nullptr;
  try {
    blocks_.reserve(blocks_.size() + 1);
    sizes_.reserve(sizes_.size() + 1);
    block = static_cast<char*>(large_alloc(size));
  } catch (...) {
    if (memory_) memory_->release(size);
    throw;
  }
  blocks_.push_back(block);
  sizes_.push_back(size);
  total_ += size;
  block_ = blocks_.size() - 1;
  used_ = bytes;
  return block;
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
  std::swap(total_, other.total_);
}

void Arena::reset() {
  free_blocks(1);  // keep one block, drop the rest so a big query does not pin memory
  block_ = 0;
  used_ = 0;
}

}  // namespace omendb::runtime
