// One CPU engine and one in-order stream for the whole process: every call comes from the
// JavaScript thread and waits for its result, so no further synchronisation is needed.
//
// Lifetime: the engine, the stream and the primitive caches live on the heap and are never
// destroyed. Destroyed at process exit, in whatever order the C++ runtime picks, a cached
// primitive could be released after the engine or oneDNN's own lazily created globals it refers
// to were gone; the operating system takes the memory back at exit anyway.
#pragma once

#include <napi.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <functional>

namespace rbn {

dnnl::engine& Engine();
dnnl::stream& Stream();

// Runs `body`, turning oneDNN and C++ errors into JavaScript Errors that name the kernel.
Napi::Value Guard(const Napi::CallbackInfo& info, const char* kernel,
                  const std::function<Napi::Value()>& body);

// Clears every primitive cache (used by tests and when memory matters more than speed).
void ClearConvCache();
void ClearMatmulCache();
void ClearPoolCache();
size_t ConvCacheSize();
// Winograd convolutions (evaluation's constant filters) among the cached primitives.
size_t WinogradPrimitives();
size_t MatmulCacheSize();
size_t PoolCacheSize();

constexpr size_t kPrimitiveCacheCapacity = 48;

}  // namespace rbn
