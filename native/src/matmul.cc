// Batched matrix product C[b] = op(A[b]) * op(B[b]) (+ bias over columns, optional ReLU).
// Transposed operands are described by strides, so nothing is copied before the product.
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>
#include <unordered_map>

#include "dnnl_context.h"
#include "kernels.h"
#include "lru_cache.h"
#include "napi_args.h"

namespace rbn {
namespace {

using dnnl::memory;
constexpr auto f32 = memory::data_type::f32;

struct MatmulShape {
  int64_t batch, m, k, n;
  bool transA, transB;

  memory::desc A() const {
    return transA ? memory::desc({batch, m, k}, f32, {k * m, 1, m})
                  : memory::desc({batch, m, k}, f32, {m * k, k, 1});
  }
  memory::desc B() const {
    return transB ? memory::desc({batch, k, n}, f32, {n * k, 1, k})
                  : memory::desc({batch, k, n}, f32, {k * n, n, 1});
  }
  memory::desc C() const { return memory::desc({batch, m, n}, f32, {m * n, n, 1}); }
  memory::desc Bias() const { return memory::desc({1, 1, n}, f32, {n, n, 1}); }
};

struct MatmulEntry {
  dnnl::matmul prim;
};

// Never destroyed: see the lifetime note in dnnl_context.h.
LruCache<MatmulEntry>& matmulCache = *new LruCache<MatmulEntry>(kPrimitiveCacheCapacity);

}  // namespace

// matmul(a, b, bias|null, out, [batch, m, k, n], transposeA, transposeB, relu)
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return Guard(info, "matmul", [&]() -> Napi::Value {
    const auto dims = IntsArg(info, 4, 4, 4, "matmul", "dims");
    const MatmulShape s{dims[0], dims[1], dims[2], dims[3], BoolArg(info, 5), BoolArg(info, 6)};
    if (s.batch < 1 || s.m < 1 || s.k < 1 || s.n < 1) {
      throw ArgError(info.Env(), "matmul", "batch, m, k and n must be at least 1");
    }
    const bool relu = BoolArg(info, 7);
    float* a = Float32Arg(info, 0, static_cast<size_t>(s.batch * s.m * s.k), "matmul", "a");
    float* b = Float32Arg(info, 1, static_cast<size_t>(s.batch * s.k * s.n), "matmul", "b");
    const bool hasBias = !IsAbsent(info, 2);
    float* bias = hasBias ? Float32Arg(info, 2, static_cast<size_t>(s.n), "matmul", "bias") : nullptr;
    float* c = Float32Arg(info, 3, static_cast<size_t>(s.batch * s.m * s.n), "matmul", "out");

    const std::string key = CacheKey("matmul", s.batch, s.m, s.k, s.n, s.transA ? 1 : 0,
                                     s.transB ? 1 : 0, hasBias ? 1 : 0, relu ? 1 : 0);
    auto entry = matmulCache.Get(key);
    if (!entry) {
      dnnl::matmul::desc d = hasBias ? dnnl::matmul::desc(s.A(), s.B(), s.Bias(), s.C())
                                     : dnnl::matmul::desc(s.A(), s.B(), s.C());
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(ops);
      }
      entry = std::make_shared<MatmulEntry>();
      entry->prim = dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, Engine()));
      matmulCache.Put(key, entry);
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(s.A(), Engine(), a)},
                                         {DNNL_ARG_WEIGHTS, memory(s.B(), Engine(), b)},
                                         {DNNL_ARG_DST, memory(s.C(), Engine(), c)}};
    if (hasBias) args.emplace(DNNL_ARG_BIAS, memory(s.Bias(), Engine(), bias));
    entry->prim.execute(Stream(), args);
    Stream().wait();
    return info.Env().Undefined();
  });
}

void ClearMatmulCache() { matmulCache.Clear(); }
size_t MatmulCacheSize() { return matmulCache.Size(); }

}  // namespace rbn
