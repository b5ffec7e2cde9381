// The runtime functions generated code may call: name, address and LLVM signature, all derived from
// the single list OMENDB_RUNTIME_FUNCTIONS in runtime/runtime_api.h, so a declaration in IR can never
// disagree with the C++ function it calls.
#pragma once

#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/LLVMContext.h>

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

namespace omendb::codegen {

template <typename T>
llvm::Type* llvm_type_of(llvm::LLVMContext& c) {
  if constexpr (std::is_void_v<T>) {
    return llvm::Type::getVoidTy(c);
  } else if constexpr (std::is_pointer_v<T>) {
    return llvm::PointerType::get(c, 0);
  } else if constexpr (std::is_same_v<T, double>) {
    return llvm::Type::getDoubleTy(c);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return llvm::Type::getIntNTy(c, sizeof(T) * 8);
  } else {
    static_assert(sizeof(T) == 0, "runtime functions take and return only integers, doubles and pointers");
  }
}

template <typename R, typename... A>
llvm::FunctionType* function_type_of(llvm::LLVMContext& c, R (*)(A...)) {
  return llvm::FunctionType::get(llvm_type_of<R>(c), {llvm_type_of<A>(c)...}, false);
}

struct RuntimeSymbol {
  std::string_view name;
  void* address;
  llvm::FunctionType* (*type)(llvm::LLVMContext&);
};

// Every runtime function, in OMENDB_RUNTIME_FUNCTIONS order.
const std::vector<RuntimeSymbol>& runtime_symbols();
const RuntimeSymbol* find_runtime_symbol(std::string_view name);

}  // namespace omendb::codegen
