// Reductions over one contiguous run of axes, seen as x[A][R][B] -> out[A][B]. This covers
// the reductions a training step needs (over N,H,W for batch-norm statistics and gradients,
// over H,W for global pooling, over the last axis for losses) without transposing first.
// Sums accumulate in double so a 64x32x32 batch-norm sum is as exact as the JS backend's.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {
namespace {

enum class ReduceOp { Sum = 0, Mean, Max, Min };

struct Accumulator {
  ReduceOp op;
  double Init() const {
    if (op == ReduceOp::Max) return -std::numeric_limits<double>::infinity();
    if (op == ReduceOp::Min) return std::numeric_limits<double>::infinity();
    return 0.0;
  }
  double Combine(double acc, double v) const {
    if (op == ReduceOp::Max) return (std::isnan(v) || v > acc) ? v : acc;
    if (op == ReduceOp::Min) return (std::isnan(v) || v < acc) ? v : acc;
    return acc + v;
  }
};

void ReduceInner(const float* x, float* out, int64_t a, int64_t r, const Accumulator& acc, double scale) {
#pragma omp parallel for schedule(dynamic, RowsPerChunk(r)) if (a * r > kParallelThreshold && a > 1)
  for (int64_t i = 0; i < a; ++i) {
    const float* row = x + i * r;
    double s = acc.Init();
    if (acc.op == ReduceOp::Sum || acc.op == ReduceOp::Mean) {
      for (int64_t j = 0; j < r; ++j) s += row[j];
    } else {
      for (int64_t j = 0; j < r; ++j) s = acc.Combine(s, row[j]);
    }
    out[i] = static_cast<float>(s * scale);
  }
}

// Accumulates rows [r0, r1) of slab x[R][B] into buf[B].
void AccumulateRows(const float* x, int64_t r0, int64_t r1, int64_t b, double* buf, const Accumulator& acc) {
  const bool additive = acc.op == ReduceOp::Sum || acc.op == ReduceOp::Mean;
  for (int64_t j = r0; j < r1; ++j) {
    const float* row = x + j * b;
    if (additive) {
      for (int64_t k = 0; k < b; ++k) buf[k] += row[k];
    } else {
      for (int64_t k = 0; k < b; ++k) buf[k] = acc.Combine(buf[k], row[k]);
    }
  }
}

void ReduceMiddle(const float* x, float* out, int64_t a, int64_t r, int64_t b, const Accumulator& acc, double scale) {
  const int threads = omp_get_max_threads();
  if (a >= 2 * threads) {
#pragma omp parallel if (a * r * b > kParallelThreshold)
    {
      std::vector<double> buf(static_cast<size_t>(b));
#pragma omp for schedule(dynamic, RowsPerChunk(r * b))
      for (int64_t i = 0; i < a; ++i) {
        std::fill(buf.begin(), buf.end(), acc.Init());
        AccumulateRows(x + i * r * b, 0, r, b, buf.data(), acc);
        for (int64_t k = 0; k < b; ++k) out[i * b + k] = static_cast<float>(buf[k] * scale);
      }
    }
    return;
  }
  // Few output slabs: split each slab's reduced rows (or, for wide rows, its columns) into
  // chunks. Row chunks keep their own partial results, combined in chunk order afterwards.
  const int64_t rowsPerBlock = RowsPerChunk(b);
  const int64_t blocks = (r + rowsPerBlock - 1) / rowsPerBlock;
  const bool parallel = r * b > kParallelThreshold;
  for (int64_t i = 0; i < a; ++i) {
    const float* slab = x + i * r * b;
    float* dst = out + i * b;
    if (parallel && b >= kGrain) {
      const int64_t columnChunks = (b + kGrain - 1) / kGrain;
#pragma omp parallel for schedule(dynamic, 1)
      for (int64_t chunk = 0; chunk < columnChunks; ++chunk) {
        const int64_t k0 = chunk * kGrain, width = std::min(b, k0 + kGrain) - k0;
        std::vector<double> buf(static_cast<size_t>(width), acc.Init());
        for (int64_t j = 0; j < r; ++j) {
          const float* row = slab + j * b + k0;
          for (int64_t k = 0; k < width; ++k) buf[k] = acc.Combine(buf[k], row[k]);
        }
        for (int64_t k = 0; k < width; ++k) dst[k0 + k] = static_cast<float>(buf[k] * scale);
      }
      continue;
    }
    std::vector<double> total(static_cast<size_t>(b), acc.Init());
    if (!parallel || blocks < 2) {
      AccumulateRows(slab, 0, r, b, total.data(), acc);
    } else {
      std::vector<double> partial(static_cast<size_t>(blocks * b), acc.Init());
#pragma omp parallel for schedule(dynamic, 1)
      for (int64_t blk = 0; blk < blocks; ++blk) {
        AccumulateRows(slab, blk * rowsPerBlock, std::min(r, (blk + 1) * rowsPerBlock), b, partial.data() + blk * b, acc);
      }
      for (int64_t blk = 0; blk < blocks; ++blk) {
        for (int64_t k = 0; k < b; ++k) total[k] = acc.Combine(total[k], partial[blk * b + k]);
      }
    }
    for (int64_t k = 0; k < b; ++k) dst[k] = static_cast<float>(total[k] * scale);
  }
}

}  // namespace

// reduce(x, out, [A, R, B], op)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return Guard(info, "reduce", [&]() -> Napi::Value {
    const auto dims = IntsArg(info, 2, 3, 3, "reduce", "dims");
    const int64_t a = dims[0], r = dims[1], b = dims[2];
    if (r < 1) throw ArgError(info.Env(), "reduce", "cannot reduce over an empty axis");
    const float* x = Float32Arg(info, 0, Product(dims), "reduce", "x");
    float* out = Float32Arg(info, 1, static_cast<size_t>(a * b), "reduce", "out");
    const int64_t op = IntArg(info, 3, "reduce", "op");
    if (op < 0 || op > 3) throw ArgError(info.Env(), "reduce", "unknown op " + std::to_string(op));
    const Accumulator acc{static_cast<ReduceOp>(op)};
    const double scale = acc.op == ReduceOp::Mean ? 1.0 / static_cast<double>(r) : 1.0;
    if (b == 1) ReduceInner(x, out, a, r, acc, scale);
    else ReduceMiddle(x, out, a, r, b, acc, scale);
    return info.Env().Undefined();
  });
}

}  // namespace rbn
