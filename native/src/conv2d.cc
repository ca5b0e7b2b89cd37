// 2-D convolution forward (optionally with bias and ReLU fused), backward data and backward
// filter. Activations stay NHWC (TF.js's layout) so they are read and written in place; the
// filter is HWIO in TF.js and is reordered into whatever blocked layout oneDNN prefers.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "lru_cache.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

struct ConvGeometry {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;

  memory::dims Src() const { return {n, c, h, w}; }
  memory::dims Weights() const { return {o, c, kh, kw}; }
  memory::dims Dst() const { return {n, o, oh, ow}; }
  memory::dims Strides() const { return {sh, sw}; }
  memory::dims Dilates() const { return {dh - 1, dw - 1}; }
  memory::dims PadL() const { return {pt, pl}; }
  memory::dims PadR() const { return {pb, pr}; }
  size_t SrcSize() const { return static_cast<size_t>(n * h * w * c); }
  size_t WeightsSize() const { return static_cast<size_t>(kh * kw * c * o); }
  size_t DstSize() const { return static_cast<size_t>(n * oh * ow * o); }
  std::string Key(const char* kind, int flags) const {
    return CacheKey(kind, n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr, flags);
  }
};

ConvGeometry ReadGeometry(const Napi::CallbackInfo& info, size_t index, const char* kernel) {
  const auto v = IntsArg(info, index, 17, 17, kernel, "geometry");
  ConvGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                 v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16]};
  const Napi::Env env = info.Env();
  if (g.n < 1 || g.h < 1 || g.w < 1 || g.c < 1 || g.kh < 1 || g.kw < 1 || g.o < 1 || g.oh < 1 ||
      g.ow < 1 || g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) {
    throw ArgError(env, kernel, "every size, stride and dilation must be at least 1");
  }
  const int64_t effH = (g.kh - 1) * g.dh + 1, effW = (g.kw - 1) * g.dw + 1;
  const int64_t spanH = g.h + g.pt + g.pb - effH, spanW = g.w + g.pl + g.pr - effW;
  if (spanH < 0 || spanW < 0 || spanH / g.sh + 1 != g.oh || spanW / g.sw + 1 != g.ow) {
    throw ArgError(env, kernel,
                   "output " + std::to_string(g.oh) + "x" + std::to_string(g.ow) +
                       " does not follow from input " + std::to_string(g.h) + "x" + std::to_string(g.w) +
                       ", filter " + std::to_string(g.kh) + "x" + std::to_string(g.kw) +
                       ", strides and padding");
  }
  return g;
}

memory::desc Nhwc(const memory::dims& dims) { return memory::desc(dims, f32, tag::nhwc); }
memory::desc AnyLayout(const memory::dims& dims) { return memory::desc(dims, f32, tag::any); }
memory::desc Hwio(const ConvGeometry& g) { return memory::desc(g.Weights(), f32, tag::hwio); }

dnnl::reorder Reorder(const memory::desc& from, const memory::desc& to) {
  return dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), from, Engine(), to));
}

// Reorder between the user's HWIO filter and the primitive's preferred layout, skipped when
// they coincide.
struct WeightsBridge {
  bool needed = false;
  memory internal;
  dnnl::reorder toInternal;
  dnnl::reorder toUser;

  void Init(const memory::desc& user, const memory::desc& wanted, bool userToInternal) {
    needed = user != wanted;
    if (!needed) return;
    internal = memory(wanted, Engine());
    if (userToInternal) {
      toInternal = Reorder(user, wanted);
    } else {
      toUser = Reorder(wanted, user);
    }
  }
};

// A residual, when given, is added to the convolution's output before the ReLU, as the end of a
// residual block computes relu(conv(x) + shortcut): one pass over the activations instead of
// three. It is a `sum` post-op over an output that already holds the residual, not a `binary`
// add reading the residual: oneDNN 2.6 runs a binary post-op on its older direct kernel rather
// than brgemm (docs/benchmarks.md, "Residual sums fused into the convolution").
dnnl::primitive_attr PostOps(bool relu, bool residual) {
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  if (residual) ops.append_sum(1.f);
  if (relu) ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
  attr.set_post_ops(ops);
  return attr;
}

memory::desc BiasDesc(const ConvGeometry& g, bool bias) { return bias ? memory::desc({g.o}, f32, tag::a) : memory::desc(); }

dnnl::convolution_forward::primitive_desc ForwardDesc(const ConvGeometry& g, bool bias, bool relu, bool residual) {
  dnnl::convolution_forward::desc d(prop_kind::forward_training, algorithm::convolution_direct,
                                    Nhwc(g.Src()), AnyLayout(g.Weights()), BiasDesc(g, bias),
                                    Nhwc(g.Dst()), g.Strides(), g.Dilates(), g.PadL(), g.PadR());
  return dnnl::convolution_forward::primitive_desc(d, PostOps(relu, residual), Engine());
}

// A filter in a primitive's layout, kept with a copy of the user's filter it came from.
struct TransformedFilter {
  std::vector<float> source;
  memory internal;
};

// Transforms of filters that stay the same from call to call (evaluation's folded filters), one
// per user array. A transform is reused only while its array holds the values it came from, so
// an array the buffer pool hands to another tensor never meets a stale transform; comparing
// costs a fraction of transforming (a Winograd filter transform is ~1 ms at 64 channels).
class FilterTransforms {
 public:
  memory For(const WeightsBridge& bridge, const memory::desc& user, float* w, size_t size) {
    if (!bridge.needed) return memory(user, Engine(), w);
    auto found = filters_.find(w);
    if (found != filters_.end() && std::equal(w, w + size, found->second.source.begin())) return found->second.internal;
    // Bounded: a long run folds new filters after every training phase, often into new arrays.
    const size_t bytes = size * sizeof(float) + bridge.internal.get_desc().get_size();
    if (found == filters_.end() && bytes_ + bytes > kMaxBytes) {
      filters_.clear();
      bytes_ = 0;
    }
    if (found == filters_.end()) bytes_ += bytes;
    TransformedFilter& t = filters_[w];
    t.source.assign(w, w + size);
    if (!t.internal) t.internal = memory(bridge.internal.get_desc(), Engine());
    memory userMem(user, Engine(), w);
    bridge.toInternal.execute(Stream(), userMem, t.internal);
    return t.internal;
  }

 private:
  static constexpr size_t kMaxBytes = size_t{64} << 20;
  size_t bytes_ = 0;
  std::unordered_map<const float*, TransformedFilter> filters_;
};

struct ForwardEntry {
  dnnl::convolution_forward prim;
  WeightsBridge weights;
  FilterTransforms constants;
};

struct BackwardDataEntry {
  dnnl::convolution_backward_data prim;
  WeightsBridge weights;
};

struct BackwardWeightsEntry {
  dnnl::convolution_backward_weights prim;
  WeightsBridge weights;
};

// Reorders between an NHWC activation and the blocked layout a primitive wants, skipped when
// they coincide. The blocked copy lives in a scratch buffer shared by every shape: a cache
// entry per shape holding its own would keep hundreds of MB for a search whose widths keep
// changing.
struct ActivationBridge {
  bool needed = false;
  memory::desc blocked;
  dnnl::reorder in, out;

  // `back`: the primitive writes this activation, so it is reordered back too.
  void Init(const memory::desc& user, const memory::desc& wanted, bool back) {
    needed = user != wanted;
    blocked = wanted;
    if (!needed) return;
    in = Reorder(user, wanted);
    if (back) out = Reorder(wanted, user);
  }
  // The primitive's view of `user`: `scratch` in the blocked layout (filled from `user` when
  // `copyIn`), or `user` itself.
  memory Bind(std::vector<float>& scratch, memory user, bool copyIn) const {
    if (!needed) return user;
    scratch.resize(blocked.get_size() / sizeof(float));
    memory m(blocked, Engine(), scratch.data());
    if (copyIn) in.execute(Stream(), user, m);
    return m;
  }
};

// A 3x3 stride-1 convolution as Winograd F(4x4, 3x3), whose kernel wants blocked activations:
// they are reordered in and out around it. Evaluation's constant filters take the inference
// primitive, whose filter transform is cached; training takes the training primitive, which
// transforms the filter inside each call (docs/benchmarks.md, "Winograd convolutions at
// evaluation" and "Winograd convolutions in training").
struct WinogradEntry {
  bool usable = false;
  dnnl::convolution_forward prim;
  WeightsBridge weights;
  FilterTransforms constants;
  ActivationBridge src, dst;
};

// A filter gradient by Winograd: the input and the output's gradient are reordered into the
// primitive's blocked layouts, the gradient back into HWIO.
struct WinogradBackwardWeightsEntry {
  bool usable = false;
  dnnl::convolution_backward_weights prim;
  WeightsBridge weights;
  ActivationBridge src, diffDst;
};

// Never destroyed: see the lifetime note in dnnl_context.h.
std::vector<float>& winogradSrc = *new std::vector<float>();
std::vector<float>& winogradDst = *new std::vector<float>();

// Never destroyed: see the lifetime note in dnnl_context.h.
LruCache<ForwardEntry>& forwardCache = *new LruCache<ForwardEntry>(kPrimitiveCacheCapacity);
LruCache<BackwardDataEntry>& backwardDataCache = *new LruCache<BackwardDataEntry>(kPrimitiveCacheCapacity);
LruCache<BackwardWeightsEntry>& backwardWeightsCache = *new LruCache<BackwardWeightsEntry>(kPrimitiveCacheCapacity);
LruCache<WinogradEntry>& winogradCache = *new LruCache<WinogradEntry>(kPrimitiveCacheCapacity);
LruCache<WinogradBackwardWeightsEntry>& winogradBackwardWeightsCache =
    *new LruCache<WinogradBackwardWeightsEntry>(kPrimitiveCacheCapacity);

// The filter as the primitive reads it: the user's array itself, or reordered into the bridge's
// buffer on this call.
memory WeightsToInternal(WeightsBridge& bridge, const memory::desc& user, float* data) {
  memory userMem(user, Engine(), data);
  if (!bridge.needed) return userMem;
  bridge.toInternal.execute(Stream(), userMem, bridge.internal);
  return bridge.internal;
}

// The same for a forward convolution, whose constant filters (evaluation's) keep their transform
// from call to call.
memory ForwardFilter(WeightsBridge& bridge, FilterTransforms& constants, const ConvGeometry& g, float* w,
                     bool constantFilter) {
  if (constantFilter) return constants.For(bridge, Hwio(g), w, g.WeightsSize());
  return WeightsToInternal(bridge, Hwio(g), w);
}

// Measured on this project's benchmark CPU (docs/benchmarks.md, "Winograd convolutions in
// training"): below 32 channels, or below 4x4 outputs (one Winograd tile), the transforms cost
// more than the multiplications they save.
constexpr int64_t kMinChannelsForWinograd = 32;
constexpr int64_t kMinOutputForWinograd = 4;

bool WinogradApplies(const ConvGeometry& g) {
  return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 &&
         g.c >= kMinChannelsForWinograd && g.o >= kMinChannelsForWinograd && g.oh >= kMinOutputForWinograd &&
         g.ow >= kMinOutputForWinograd;
}

dnnl::convolution_forward::primitive_desc WinogradForwardDesc(const ConvGeometry& g, prop_kind kind, bool bias,
                                                              bool relu, bool residual) {
  dnnl::convolution_forward::desc d(kind, algorithm::convolution_winograd, AnyLayout(g.Src()),
                                    AnyLayout(g.Weights()), BiasDesc(g, bias), AnyLayout(g.Dst()), g.Strides(),
                                    g.Dilates(), g.PadL(), g.PadR());
  return dnnl::convolution_forward::primitive_desc(d, PostOps(relu, residual), Engine());
}

std::shared_ptr<WinogradEntry> MakeWinograd(const ConvGeometry& g, bool bias, bool relu, bool residual,
                                            bool constantFilter) {
  auto entry = std::make_shared<WinogradEntry>();
  try {
    const auto kind = constantFilter ? prop_kind::forward_inference : prop_kind::forward_training;
    auto pd = WinogradForwardDesc(g, kind, bias, relu, residual);
    entry->prim = dnnl::convolution_forward(pd);
    entry->weights.Init(Hwio(g), pd.weights_desc(), true);
    entry->src.Init(Nhwc(g.Src()), pd.src_desc(), false);
    entry->dst.Init(Nhwc(g.Dst()), pd.dst_desc(), true);
    entry->usable = true;
  } catch (const dnnl::error&) {
    // No Winograd implementation for this CPU or shape: the direct convolution runs instead.
    entry->usable = false;
  }
  return entry;
}

// Returns false when Winograd does not run for `g`, and the caller runs the direct convolution.
bool RunWinograd(const ConvGeometry& g, float* x, float* w, float* b, float* y, bool relu, float* residual,
                 bool constantFilter) {
  if (!WinogradApplies(g)) return false;
  const bool hasBias = b != nullptr;
  const std::string key =
      g.Key(constantFilter ? "wino_eval" : "wino_train", (hasBias ? 1 : 0) | (relu ? 2 : 0) | (residual ? 4 : 0));
  auto entry = winogradCache.Get(key);
  if (!entry) {
    entry = MakeWinograd(g, hasBias, relu, residual != nullptr, constantFilter);
    winogradCache.Put(key, entry);
  }
  if (!entry->usable) return false;
  memory internalW = ForwardFilter(entry->weights, entry->constants, g, w, constantFilter);
  memory userSrc(Nhwc(g.Src()), Engine(), x);
  memory userDst(Nhwc(g.Dst()), Engine(), y);
  memory src = entry->src.Bind(winogradSrc, userSrc, true);
  // The sum post-op adds to what the output holds: the residual, in the primitive's layout.
  const bool blockedResidual = residual != nullptr && entry->dst.needed;
  if (residual != nullptr && !entry->dst.needed && residual != y) std::copy(residual, residual + g.DstSize(), y);
  memory dst = entry->dst.Bind(winogradDst, blockedResidual ? memory(Nhwc(g.Dst()), Engine(), residual) : userDst,
                               blockedResidual);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, internalW}, {DNNL_ARG_DST, dst}};
  if (hasBias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.o}, f32, tag::a), Engine(), b));
  entry->prim.execute(Stream(), args);
  if (entry->dst.needed) entry->dst.out.execute(Stream(), dst, userDst);
  Stream().wait();
  return true;
}

std::shared_ptr<WinogradBackwardWeightsEntry> MakeWinogradBackwardWeights(const ConvGeometry& g) {
  auto entry = std::make_shared<WinogradBackwardWeightsEntry>();
  try {
    auto hint = WinogradForwardDesc(g, prop_kind::forward_training, false, false, false);
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_winograd, AnyLayout(g.Src()),
                                               AnyLayout(g.Weights()), memory::desc(), AnyLayout(g.Dst()),
                                               g.Strides(), g.Dilates(), g.PadL(), g.PadR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, Engine(), hint);
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->weights.Init(Hwio(g), pd.diff_weights_desc(), false);
    entry->src.Init(Nhwc(g.Src()), pd.src_desc(), false);
    entry->diffDst.Init(Nhwc(g.Dst()), pd.diff_dst_desc(), false);
    entry->usable = true;
  } catch (const dnnl::error&) {
    entry->usable = false;
  }
  return entry;
}

// Returns false when Winograd does not run for `g`, and the caller runs the direct kernel.
bool RunWinogradBackwardWeights(const ConvGeometry& g, float* x, float* dy, float* dw) {
  if (!WinogradApplies(g)) return false;
  const std::string key = g.Key("wino_bwd_weights", 0);
  auto entry = winogradBackwardWeightsCache.Get(key);
  if (!entry) {
    entry = MakeWinogradBackwardWeights(g);
    winogradBackwardWeightsCache.Put(key, entry);
  }
  if (!entry->usable) return false;
  memory userSrc(Nhwc(g.Src()), Engine(), x);
  memory userDiffDst(Nhwc(g.Dst()), Engine(), dy);
  memory userW(Hwio(g), Engine(), dw);
  memory src = entry->src.Bind(winogradSrc, userSrc, true);
  memory diffDst = entry->diffDst.Bind(winogradDst, userDiffDst, true);
  entry->prim.execute(Stream(), {{DNNL_ARG_SRC, src},
                                 {DNNL_ARG_DIFF_DST, diffDst},
                                 {DNNL_ARG_DIFF_WEIGHTS, entry->weights.needed ? entry->weights.internal : userW}});
  if (entry->weights.needed) entry->weights.toUser.execute(Stream(), entry->weights.internal, userW);
  Stream().wait();
  return true;
}

// Runs the cached forward primitive of `g` on user buffers (NHWC activations, HWIO filter);
// `residual` (NHWC, the output's shape) may be null.
void RunForward(const ConvGeometry& g, float* x, float* w, float* b, float* y, bool relu, float* residual = nullptr,
                bool constantFilter = false) {
  if (RunWinograd(g, x, w, b, y, relu, residual, constantFilter)) return;
  const bool hasBias = b != nullptr;
  const std::string key = g.Key("fwd", (hasBias ? 1 : 0) | (relu ? 2 : 0) | (residual ? 4 : 0));
  auto entry = forwardCache.Get(key);
  if (!entry) {
    auto pd = ForwardDesc(g, hasBias, relu, residual != nullptr);
    entry = std::make_shared<ForwardEntry>();
    entry->prim = dnnl::convolution_forward(pd);
    entry->weights.Init(Hwio(g), pd.weights_desc(), true);
    forwardCache.Put(key, entry);
  }
  memory weights = ForwardFilter(entry->weights, entry->constants, g, w, constantFilter);
  memory src(Nhwc(g.Src()), Engine(), x);
  memory dst(Nhwc(g.Dst()), Engine(), y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (hasBias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.o}, f32, tag::a), Engine(), b));
  if (residual && residual != y) {
    const int64_t total = static_cast<int64_t>(g.DstSize());
#pragma omp parallel for schedule(dynamic, kGrain) if (total > kParallelThreshold)
    for (int64_t i = 0; i < total; ++i) y[i] = residual[i];
  }
  entry->prim.execute(Stream(), args);
  Stream().wait();
}

// With stride 1, the input gradient is itself a forward convolution: of dy, by the filter turned
// half a circle in space with its input and output channels swapped, padded by what the filter's
// reach leaves of the original padding. oneDNN 2.6 runs that forward with its brgemm kernels and
// the backward-data primitive with an older direct kernel, which is 1.2-1.4 times slower at 64
// channels, even at 32 and faster at 16 (docs/benchmarks.md, "Input gradients as forward
// convolutions"); hence the channel bound. Fills in the forward's geometry and says whether the
// forward form is used.
constexpr int64_t kMinChannelsForForwardForm = 32;

bool BackwardDataAsForward(const ConvGeometry& g, ConvGeometry* out) {
  const int64_t reachH = (g.kh - 1) * g.dh, reachW = (g.kw - 1) * g.dw;
  if (g.sh != 1 || g.sw != 1) return false;
  if (g.c < kMinChannelsForForwardForm || g.o < kMinChannelsForForwardForm) return false;
  if (g.pt > reachH || g.pb > reachH || g.pl > reachW || g.pr > reachW) return false;
  *out = ConvGeometry{g.n, g.oh, g.ow, g.o, g.kh, g.kw, g.c, g.h, g.w, 1, 1, g.dh, g.dw,
                      reachH - g.pt, reachW - g.pl, reachH - g.pb, reachW - g.pr};
  return true;
}

// filter[kh][kw][c][o] -> flipped[kh'][kw'][o][c] with kh' = KH-1-kh, kw' = KW-1-kw.
void FlipFilter(const ConvGeometry& g, const float* w, float* flipped) {
  for (int64_t a = 0; a < g.kh; ++a) {
    for (int64_t b = 0; b < g.kw; ++b) {
      const float* tap = w + ((g.kh - 1 - a) * g.kw + (g.kw - 1 - b)) * g.c * g.o;
      float* dst = flipped + (a * g.kw + b) * g.o * g.c;
      for (int64_t i = 0; i < g.c; ++i) {
        for (int64_t j = 0; j < g.o; ++j) dst[j * g.c + i] = tap[i * g.o + j];
      }
    }
  }
}

}  // namespace

// conv2dForward(x, filter, bias|null, out, geometry[17], relu[, residual|null[, constantFilter]])
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  return Guard(info, "conv2dForward", [&]() -> Napi::Value {
    const ConvGeometry g = ReadGeometry(info, 4, "conv2dForward");
    float* x = Float32Arg(info, 0, g.SrcSize(), "conv2dForward", "x");
    float* w = Float32Arg(info, 1, g.WeightsSize(), "conv2dForward", "filter");
    float* b = IsAbsent(info, 2) ? nullptr : Float32Arg(info, 2, static_cast<size_t>(g.o), "conv2dForward", "bias");
    float* y = Float32Arg(info, 3, g.DstSize(), "conv2dForward", "out");
    float* residual = IsAbsent(info, 6) ? nullptr : Float32Arg(info, 6, g.DstSize(), "conv2dForward", "residual");
    RunForward(g, x, w, b, y, BoolArg(info, 5), residual, BoolArg(info, 7));
    return info.Env().Undefined();
  });
}

// conv2dBackwardData(dy, filter, dx, geometry[17])
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  return Guard(info, "conv2dBackwardData", [&]() -> Napi::Value {
    const ConvGeometry g = ReadGeometry(info, 3, "conv2dBackwardData");
    float* dy = Float32Arg(info, 0, g.DstSize(), "conv2dBackwardData", "dy");
    float* w = Float32Arg(info, 1, g.WeightsSize(), "conv2dBackwardData", "filter");
    float* dx = Float32Arg(info, 2, g.SrcSize(), "conv2dBackwardData", "dx");

    ConvGeometry forward;
    if (BackwardDataAsForward(g, &forward)) {
      // Reused across calls: the flip is rewritten in full each time.
      static std::vector<float>& flipped = *new std::vector<float>();
      flipped.resize(g.WeightsSize());
      FlipFilter(g, w, flipped.data());
      RunForward(forward, dy, flipped.data(), nullptr, dx, false);
      return info.Env().Undefined();
    }
    const std::string key = g.Key("bwd_data", 0);
    auto entry = backwardDataCache.Get(key);
    if (!entry) {
      auto hint = ForwardDesc(g, false, false, false);
      dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, Nhwc(g.Src()),
                                              AnyLayout(g.Weights()), Nhwc(g.Dst()), g.Strides(),
                                              g.Dilates(), g.PadL(), g.PadR());
      dnnl::convolution_backward_data::primitive_desc pd(d, Engine(), hint);
      entry = std::make_shared<BackwardDataEntry>();
      entry->prim = dnnl::convolution_backward_data(pd);
      entry->weights.Init(Hwio(g), pd.weights_desc(), true);
      backwardDataCache.Put(key, entry);
    }
    entry->prim.execute(Stream(), {{DNNL_ARG_DIFF_DST, memory(Nhwc(g.Dst()), Engine(), dy)},
                                   {DNNL_ARG_WEIGHTS, WeightsToInternal(entry->weights, Hwio(g), w)},
                                   {DNNL_ARG_DIFF_SRC, memory(Nhwc(g.Src()), Engine(), dx)}});
    Stream().wait();
    return info.Env().Undefined();
  });
}

// conv2dBackwardFilter(x, dy, dw, geometry[17])
Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  return Guard(info, "conv2dBackwardFilter", [&]() -> Napi::Value {
    const ConvGeometry g = ReadGeometry(info, 3, "conv2dBackwardFilter");
    float* x = Float32Arg(info, 0, g.SrcSize(), "conv2dBackwardFilter", "x");
    float* dy = Float32Arg(info, 1, g.DstSize(), "conv2dBackwardFilter", "dy");
    float* dw = Float32Arg(info, 2, g.WeightsSize(), "conv2dBackwardFilter", "dw");
    if (RunWinogradBackwardWeights(g, x, dy, dw)) return info.Env().Undefined();

    const std::string key = g.Key("bwd_weights", 0);
    auto entry = backwardWeightsCache.Get(key);
    if (!entry) {
      auto hint = ForwardDesc(g, false, false, false);
      dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, Nhwc(g.Src()),
                                                 AnyLayout(g.Weights()), memory::desc(), Nhwc(g.Dst()),
                                                 g.Strides(), g.Dilates(), g.PadL(), g.PadR());
      dnnl::convolution_backward_weights::primitive_desc pd(d, Engine(), hint);
      entry = std::make_shared<BackwardWeightsEntry>();
      entry->prim = dnnl::convolution_backward_weights(pd);
      entry->weights.Init(Hwio(g), pd.diff_weights_desc(), false);
      backwardWeightsCache.Put(key, entry);
    }
    memory userW(Hwio(g), Engine(), dw);
    entry->prim.execute(Stream(), {{DNNL_ARG_SRC, memory(Nhwc(g.Src()), Engine(), x)},
                                   {DNNL_ARG_DIFF_DST, memory(Nhwc(g.Dst()), Engine(), dy)},
                                   {DNNL_ARG_DIFF_WEIGHTS, entry->weights.needed ? entry->weights.internal : userW}});
    if (entry->weights.needed) entry->weights.toUser.execute(Stream(), entry->weights.internal, userW);
    Stream().wait();
    return info.Env().Undefined();
  });
}

void ClearConvCache() {
  forwardCache.Clear();
  backwardDataCache.Clear();
  backwardWeightsCache.Clear();
  winogradCache.Clear();
  winogradBackwardWeightsCache.Clear();
}

size_t WinogradPrimitives() {
  return winogradCache.CountIf([](const WinogradEntry& e) { return e.usable; }) +
         winogradBackwardWeightsCache.CountIf([](const WinogradBackwardWeightsEntry& e) { return e.usable; });
}

size_t ConvCacheSize() {
  return forwardCache.Size() + backwardDataCache.Size() + backwardWeightsCache.Size() + winogradCache.Size() +
         winogradBackwardWeightsCache.Size();
}

}  // namespace rbn
