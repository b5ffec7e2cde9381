#include "common/blocking.h"

namespace omendb {

namespace {
thread_local BlockingHooks t_hooks;
}

void set_blocking_hooks(const BlockingHooks& hooks) {
  t_hooks = hooks;
}

BlockingRegion::BlockingRegion() : hooks_(t_hooks) {
  if (hooks_.enter) hooks_.enter(hooks_.arg);
}

BlockingRegion::~BlockingRegion() {
  if (hooks_.leave) hooks_.leave(hooks_.arg);
}

}  // namespace omendb
