#include "codegen/runtime_symbols.h"

#include "runtime/guard.h"
#include "runtime/runtime_api.h"

namespace omendb::codegen {

const std::vector<RuntimeSymbol>& runtime_symbols() {
  using namespace omendb::runtime;
  static const std::vector<RuntimeSymbol> symbols = {
// Generated code calls every runtime function through its Guard: no exception crosses a JIT frame.
#define OMENDB_RUNTIME_SYMBOL(fn)                                \
  RuntimeSymbol{#fn, reinterpret_cast<void*>(&Guard<&fn>::call), \
                [](llvm::LLVMContext& c) { return function_type_of(c, &fn); }},
      OMENDB_RUNTIME_FUNCTIONS(OMENDB_RUNTIME_SYMBOL)
#undef OMENDB_RUNTIME_SYMBOL
  };
  return symbols;
}

const RuntimeSymbol* find_runtime_symbol(std::string_view name) {
  for (const RuntimeSymbol& s : runtime_symbols())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace omendb::codegen
