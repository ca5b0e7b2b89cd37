// Max and average pooling (average excludes padding, as TensorFlow does) and their gradients.
// TF.js's AvgPoolGrad divides every window by its full size, padding included, even though its
// forward pass excludes padding; the gradient here does the same so that training gives the
// same result on every TF.js backend.
// oneDNN's max-pooling backward needs the forward workspace (the arg-max), so the gradient
// recomputes the forward pass on the saved input: cheap next to the convolutions.
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>

#include "dnnl_context.h"
#include "kernels.h"
#include "lru_cache.h"
#include "napi_args.h"

namespace rbn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
constexpr auto f32 = memory::data_type::f32;

struct PoolGeometry {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl, pb, pr;
  memory::desc Src() const { return memory::desc({n, c, h, w}, f32, memory::format_tag::nhwc); }
  memory::desc Dst() const { return memory::desc({n, c, oh, ow}, f32, memory::format_tag::nhwc); }
  size_t SrcSize() const { return static_cast<size_t>(n * h * w * c); }
  size_t DstSize() const { return static_cast<size_t>(n * oh * ow * c); }
  dnnl::pooling_forward::desc Forward(prop_kind prop, algorithm alg) const {
    return dnnl::pooling_forward::desc(prop, alg, Src(), Dst(), {sh, sw}, {kh, kw}, {pt, pl}, {pb, pr});
  }
  std::string Key(const char* kind) const {
    return CacheKey(kind, n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl, pb, pr);
  }
};

PoolGeometry ReadGeometry(const Napi::CallbackInfo& info, size_t index, const char* kernel) {
  const auto v = IntsArg(info, index, 14, 14, kernel, "geometry");
  PoolGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  if (g.n < 1 || g.h < 1 || g.w < 1 || g.c < 1 || g.kh < 1 || g.kw < 1 || g.oh < 1 || g.ow < 1 ||
      g.sh < 1 || g.sw < 1) {
    throw ArgError(info.Env(), kernel, "every size and stride must be at least 1");
  }
  if ((g.h + g.pt + g.pb - g.kh) / g.sh + 1 != g.oh || (g.w + g.pl + g.pr - g.kw) / g.sw + 1 != g.ow) {
    throw ArgError(info.Env(), kernel, "output size does not follow from input, window, strides and padding");
  }
  return g;
}

algorithm PoolAlgorithm(bool isMax) {
  return isMax ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
}

struct ForwardEntry {
  dnnl::pooling_forward prim;
};

struct BackwardEntry {
  dnnl::pooling_forward forward;  // max pooling only: produces the workspace
  dnnl::pooling_backward prim;
  memory workspace;
  memory scratchDst;
};

// Never destroyed: see the lifetime note in dnnl_context.h.
LruCache<ForwardEntry>& forwardCache = *new LruCache<ForwardEntry>(kPrimitiveCacheCapacity);
LruCache<BackwardEntry>& backwardCache = *new LruCache<BackwardEntry>(kPrimitiveCacheCapacity);

}  // namespace

// pool2dForward(x, out, geometry[14], isMax)
Napi::Value Pool2dForward(const Napi::CallbackInfo& info) {
  return Guard(info, "pool2dForward", [&]() -> Napi::Value {
    const PoolGeometry g = ReadGeometry(info, 2, "pool2dForward");
    float* x = Float32Arg(info, 0, g.SrcSize(), "pool2dForward", "x");
    float* y = Float32Arg(info, 1, g.DstSize(), "pool2dForward", "out");
    const bool isMax = BoolArg(info, 3);
    const std::string key = g.Key(isMax ? "max_fwd" : "avg_fwd");
    auto entry = forwardCache.Get(key);
    if (!entry) {
      entry = std::make_shared<ForwardEntry>();
      entry->prim = dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(
          g.Forward(prop_kind::forward_inference, PoolAlgorithm(isMax)), Engine()));
      forwardCache.Put(key, entry);
    }
    entry->prim.execute(Stream(), {{DNNL_ARG_SRC, memory(g.Src(), Engine(), x)},
                                   {DNNL_ARG_DST, memory(g.Dst(), Engine(), y)}});
    Stream().wait();
    return info.Env().Undefined();
  });
}

// pool2dBackward(dy, x, dx, geometry[14], isMax)
Napi::Value Pool2dBackward(const Napi::CallbackInfo& info) {
  return Guard(info, "pool2dBackward", [&]() -> Napi::Value {
    const PoolGeometry g = ReadGeometry(info, 3, "pool2dBackward");
    float* dy = Float32Arg(info, 0, g.DstSize(), "pool2dBackward", "dy");
    const bool isMax = BoolArg(info, 4);
    float* x = isMax ? Float32Arg(info, 1, g.SrcSize(), "pool2dBackward", "x") : nullptr;
    float* dx = Float32Arg(info, 2, g.SrcSize(), "pool2dBackward", "dx");
    const std::string key = g.Key(isMax ? "max_bwd" : "avg_bwd");
    auto entry = backwardCache.Get(key);
    if (!entry) {
      const algorithm alg = isMax ? algorithm::pooling_max : algorithm::pooling_avg_include_padding;
      dnnl::pooling_forward::primitive_desc hint(g.Forward(prop_kind::forward_training, alg), Engine());
      dnnl::pooling_backward::desc d(alg, g.Src(), g.Dst(), {g.sh, g.sw}, {g.kh, g.kw}, {g.pt, g.pl},
                                     {g.pb, g.pr});
      entry = std::make_shared<BackwardEntry>();
      entry->prim = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(d, Engine(), hint));
      if (isMax) {
        entry->forward = dnnl::pooling_forward(hint);
        entry->workspace = memory(hint.workspace_desc(), Engine());
        entry->scratchDst = memory(g.Dst(), Engine());
      }
      backwardCache.Put(key, entry);
    }
    memory diffSrc(g.Src(), Engine(), dx);
    memory diffDst(g.Dst(), Engine(), dy);
    if (isMax) {
      entry->forward.execute(Stream(), {{DNNL_ARG_SRC, memory(g.Src(), Engine(), x)},
                                        {DNNL_ARG_DST, entry->scratchDst},
                                        {DNNL_ARG_WORKSPACE, entry->workspace}});
      entry->prim.execute(Stream(), {{DNNL_ARG_DIFF_DST, diffDst},
                                     {DNNL_ARG_DIFF_SRC, diffSrc},
                                     {DNNL_ARG_WORKSPACE, entry->workspace}});
    } else {
      entry->prim.execute(Stream(), {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_SRC, diffSrc}});
    }
    Stream().wait();
    return info.Env().Undefined();
  });
}

void ClearPoolCache() {
  forwardCache.Clear();
  backwardCache.Clear();
}
size_t PoolCacheSize() { return forwardCache.Size() + backwardCache.Size(); }

}  // namespace rbn
