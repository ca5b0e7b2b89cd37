// Per-channel mean and variance of a channel-last activation, the batch statistics of a
// batch-norm layer in training. TF.js's tf.moments makes four passes and two activation-sized
// temporaries (Mean, Sub, Square, Mean); here it is two reads of x: the sums, then the squared
// deviations from the mean (two passes rather than Σx² − (Σx)², which cancels badly).
// Chunks keep partial sums that are added in chunk order, so the result does not depend on
// which thread took which chunk; within a chunk, float sums over short row blocks vectorise
// and are added into doubles.
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

// Σ_rows value(x[r][k], k) per channel k, in double.
template <typename Value>
std::vector<double> ChannelSums(const float* x, int64_t rows, int64_t c, Value value) {
  const size_t cs = static_cast<size_t>(c);
  const int64_t rowsPerChunk = std::max<int64_t>(kBlockRows, RowsPerChunk(c));
  const int64_t chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
  std::vector<double> part(static_cast<size_t>(chunks) * cs, 0.0);
#pragma omp parallel if (rows * c > kParallelThreshold && chunks > 1)
  {
    std::vector<float> block(cs);
#pragma omp for schedule(dynamic, 1)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      const int64_t r1 = std::min(rows, (chunk + 1) * rowsPerChunk);
      double* total = part.data() + chunk * c;
      for (int64_t start = chunk * rowsPerChunk; start < r1; start += kBlockRows) {
        const int64_t end = std::min(r1, start + kBlockRows);
        std::fill(block.begin(), block.end(), 0.f);
        float* b = block.data();
        for (int64_t r = start; r < end; ++r) {
          const float* xr = x + r * c;
#pragma omp simd
          for (int64_t k = 0; k < c; ++k) b[k] += value(xr[k], k);
        }
        for (int64_t k = 0; k < c; ++k) total[k] += b[k];
      }
    }
  }
  std::vector<double> sums(cs, 0.0);
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    for (size_t k = 0; k < cs; ++k) sums[k] += part[chunk * c + k];
  }
  return sums;
}

}  // namespace

// batchMoments(x, mean(out), variance(out), channels): the biased variance, as tf.moments.
Napi::Value BatchMoments(const Napi::CallbackInfo& info) {
  constexpr const char* kKernel = "batchMoments";
  return Guard(info, kKernel, [&]() -> Napi::Value {
    const ChannelLayout l = ReadChannelLayout(info, 0, 3, kKernel);
    if (l.rows == 0) throw ArgError(info.Env(), kKernel, "x is empty: there are no values to take moments of");
    const size_t cs = static_cast<size_t>(l.channels);
    const float* x = Float32Arg(info, 0, l.size, kKernel, "x");
    float* mean = Float32Arg(info, 1, cs, kKernel, "mean");
    float* variance = Float32Arg(info, 2, cs, kKernel, "variance");
    const int64_t c = l.channels, rows = l.rows;

    const std::vector<double> sums = ChannelSums(x, rows, c, [](float v, int64_t) { return v; });
    std::vector<float> m(cs);
    for (size_t k = 0; k < cs; ++k) m[k] = static_cast<float>(sums[k] / static_cast<double>(rows));
    const float* mp = m.data();
    const std::vector<double> squares = ChannelSums(x, rows, c, [mp](float v, int64_t k) {
      const float d = v - mp[k];
      return d * d;
    });
    for (size_t k = 0; k < cs; ++k) {
      mean[k] = m[k];
      variance[k] = static_cast<float>(squares[k] / static_cast<double>(rows));
    }
    return info.Env().Undefined();
  });
}

}  // namespace rbn
