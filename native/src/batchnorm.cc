// Batch-norm inference formula y = (x - mean) / sqrt(var + eps) * scale + offset with
// per-channel (last axis) parameters, folded into one multiply-add per element.
#include <cmath>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {

// batchNormForward(x, mean, variance, offset|null, scale|null, out, channels, epsilon)
Napi::Value BatchNormForward(const Napi::CallbackInfo& info) {
  return Guard(info, "batchNormForward", [&]() -> Napi::Value {
    const ChannelLayout l = ReadChannelLayout(info, 0, 6, "batchNormForward");
    const int64_t c = l.channels;
    const size_t n = l.size;
    const size_t cs = static_cast<size_t>(c);
    const float* x = Float32Arg(info, 0, n, "batchNormForward", "x");
    const float* mean = Float32Arg(info, 1, cs, "batchNormForward", "mean");
    const float* variance = Float32Arg(info, 2, cs, "batchNormForward", "variance");
    const float* offset = IsAbsent(info, 3) ? nullptr : Float32Arg(info, 3, cs, "batchNormForward", "offset");
    const float* scale = IsAbsent(info, 4) ? nullptr : Float32Arg(info, 4, cs, "batchNormForward", "scale");
    float* out = Float32Arg(info, 5, n, "batchNormForward", "out");
    const double eps = NumberArg(info, 7, "batchNormForward", "epsilon");

    std::vector<float> mul(cs), add(cs);
    for (size_t k = 0; k < cs; ++k) {
      const double m = (scale ? scale[k] : 1.0) / std::sqrt(static_cast<double>(variance[k]) + eps);
      mul[k] = static_cast<float>(m);
      add[k] = static_cast<float>((offset ? offset[k] : 0.0) - mean[k] * m);
    }
    const int64_t rows = static_cast<int64_t>(n / cs);
#pragma omp parallel for schedule(dynamic, RowsPerChunk(c)) if (static_cast<int64_t>(n) > kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * c;
      float* yr = out + r * c;
      for (int64_t k = 0; k < c; ++k) yr[k] = xr[k] * mul[k] + add[k];
    }
    return info.Env().Undefined();
  });
}

}  // namespace rbn
