// Internal to codegen: lowering one plan::Pipeline to one IR function with produce/consume.
#pragma once

#include <llvm/IR/Module.h>

#include <string>

#include "planner/plan.h"

namespace omendb::codegen {

// Slot numbers the runtime state and the generated code agree on (see prepare()).
struct SlotMap {
  // scan_slot[i]: the ScanSlot index of pipeline i's TableScan source (-1 if none).
  std::vector<int> scan_slot;
};
SlotMap assign_slots(const plan::PhysicalPlan& plan);

// Emits `void function_name(QueryState*)` running pipeline `index` of `plan` into `module`.
void emit_pipeline(llvm::Module& module, const std::string& function_name, const plan::PhysicalPlan& plan,
                   size_t index, const SlotMap& slots);

}  // namespace omendb::codegen
