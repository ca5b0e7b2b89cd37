// Batch-norm backward in training mode, channel last (x viewed as [rows][C]), in two passes
// instead of the dozen elementwise kernels TF.js composes it from:
//
//   sums:  Σdy and Σdy·x̂ per channel, with x̂ = (x − mean)·invStd  (one read of dy and x)
//   input: dx = γ·invStd·(dy − Σdy/M − x̂·Σdy·x̂/M)                   (one read, one write)
//
// They are separate because data-parallel training adds the replicas' sums between them.
// Sums accumulate in float over short blocks of rows (vectorisable) and in double across
// blocks, so a 128×32×32 channel is summed about as exactly as a double loop would.
#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {
namespace {

constexpr int64_t kBlockRows = 64;

// Adds rows [r0, r1) of dy and dy·(x − mean) into the double totals.
void AccumulateSums(const float* dy, const float* x, const float* mean, int64_t r0, int64_t r1, int64_t c,
                    double* totalDy, double* totalDyXc, float* blockDy, float* blockDyXc) {
  for (int64_t start = r0; start < r1; start += kBlockRows) {
    const int64_t end = std::min(r1, start + kBlockRows);
    std::fill(blockDy, blockDy + c, 0.f);
    std::fill(blockDyXc, blockDyXc + c, 0.f);
    for (int64_t r = start; r < end; ++r) {
      const float* dr = dy + r * c;
      const float* xr = x + r * c;
#pragma omp simd
      for (int64_t k = 0; k < c; ++k) {
        blockDy[k] += dr[k];
        blockDyXc[k] += dr[k] * (xr[k] - mean[k]);
      }
    }
    for (int64_t k = 0; k < c; ++k) {
      totalDy[k] += blockDy[k];
      totalDyXc[k] += blockDyXc[k];
    }
  }
}

}  // namespace

// batchNormGradSums(dy, x, mean, invStd, sumDy(out), sumDyXhat(out), channels)
Napi::Value BatchNormGradSums(const Napi::CallbackInfo& info) {
  constexpr const char* kKernel = "batchNormGradSums";
  return Guard(info, kKernel, [&]() -> Napi::Value {
    const ChannelLayout l = ReadChannelLayout(info, 1, 6, kKernel);
    const size_t cs = static_cast<size_t>(l.channels);
    const float* dy = Float32Arg(info, 0, l.size, kKernel, "dy");
    const float* x = Float32Arg(info, 1, l.size, kKernel, "x");
    const float* mean = Float32Arg(info, 2, cs, kKernel, "mean");
    const float* invStd = Float32Arg(info, 3, cs, kKernel, "invStd");
    float* sumDy = Float32Arg(info, 4, cs, kKernel, "sumDy");
    float* sumDyXhat = Float32Arg(info, 5, cs, kKernel, "sumDyXhat");
    const int64_t c = l.channels, rows = l.rows;

    // Chunks of rows keep their own partial sums, added in chunk order: the same result
    // whichever thread took which chunk.
    const int64_t rowsPerChunk = std::max<int64_t>(kBlockRows, RowsPerChunk(c));
    const int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
    std::vector<double> partDy(static_cast<size_t>(chunks) * cs, 0.0), partDyXc(static_cast<size_t>(chunks) * cs, 0.0);
#pragma omp parallel if (static_cast<int64_t>(l.size) > kParallelThreshold && chunks > 1)
    {
      std::vector<float> blockDy(cs), blockDyXc(cs);
#pragma omp for schedule(dynamic, 1)
      for (int64_t chunk = 0; chunk < chunks; ++chunk) {
        const int64_t r0 = chunk * rowsPerChunk, r1 = std::min(rows, r0 + rowsPerChunk);
        AccumulateSums(dy, x, mean, r0, r1, c, partDy.data() + chunk * c, partDyXc.data() + chunk * c,
                       blockDy.data(), blockDyXc.data());
      }
    }
    std::vector<double> totalDy(cs, 0.0), totalDyXc(cs, 0.0);
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      for (size_t k = 0; k < cs; ++k) {
        totalDy[k] += partDy[chunk * c + k];
        totalDyXc[k] += partDyXc[chunk * c + k];
      }
    }
    for (size_t k = 0; k < cs; ++k) {
      sumDy[k] = static_cast<float>(totalDy[k]);
      sumDyXhat[k] = static_cast<float>(totalDyXc[k] * invStd[k]);
    }
    return info.Env().Undefined();
  });
}

// batchNormGradInput(dy, x, mean, invStd, gamma, sumDy, sumDyXhat, dx(out), channels, count)
Napi::Value BatchNormGradInput(const Napi::CallbackInfo& info) {
  constexpr const char* kKernel = "batchNormGradInput";
  return Guard(info, kKernel, [&]() -> Napi::Value {
    const ChannelLayout l = ReadChannelLayout(info, 1, 8, kKernel);
    const size_t cs = static_cast<size_t>(l.channels);
    const float* dy = Float32Arg(info, 0, l.size, kKernel, "dy");
    const float* x = Float32Arg(info, 1, l.size, kKernel, "x");
    const float* mean = Float32Arg(info, 2, cs, kKernel, "mean");
    const float* invStd = Float32Arg(info, 3, cs, kKernel, "invStd");
    const float* gamma = Float32Arg(info, 4, cs, kKernel, "gamma");
    const float* sumDy = Float32Arg(info, 5, cs, kKernel, "sumDy");
    const float* sumDyXhat = Float32Arg(info, 6, cs, kKernel, "sumDyXhat");
    float* dx = Float32Arg(info, 7, l.size, kKernel, "dx");
    const double count = NumberArg(info, 9, kKernel, "count");
    if (!(count > 0)) throw ArgError(info.Env(), kKernel, "count must be positive, got " + std::to_string(count));
    const int64_t c = l.channels, rows = l.rows;

    // dx = k·dy + s·(x − mean) + o per channel, with k = γ·invStd, s = −k·invStd·Σdy·x̂/M,
    // o = −k·Σdy/M: two multiply-adds per element.
    std::vector<float> k(cs), s(cs), o(cs);
    for (size_t j = 0; j < cs; ++j) {
      const double kj = static_cast<double>(gamma[j]) * invStd[j];
      k[j] = static_cast<float>(kj);
      s[j] = static_cast<float>(-kj * invStd[j] * sumDyXhat[j] / count);
      o[j] = static_cast<float>(-kj * sumDy[j] / count);
    }
    const float *kp = k.data(), *sp = s.data(), *op = o.data();
#pragma omp parallel for schedule(dynamic, RowsPerChunk(c)) if (static_cast<int64_t>(l.size) > kParallelThreshold)
    for (int64_t r = 0; r < rows; ++r) {
      const float* dr = dy + r * c;
      const float* xr = x + r * c;
      float* out = dx + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) out[j] = kp[j] * dr[j] + sp[j] * (xr[j] - mean[j]) + op[j];
    }
    return info.Env().Undefined();
  });
}

}  // namespace rbn
