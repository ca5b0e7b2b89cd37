// Tile (repeat a tensor along each axis). The batch-norm gradient of TF.js tiles a per-channel
// vector to the full activation shape, so this is a hot copy in training.
#include <cstring>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {

// tile(x, inShape, reps, out)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  return Guard(info, "tile", [&]() -> Napi::Value {
    const auto inShape = IntsArg(info, 1, 1, 8, "tile", "inShape");
    const auto reps = IntsArg(info, 2, inShape.size(), inShape.size(), "tile", "reps");
    std::vector<int64_t> outShape(inShape.size());
    for (size_t i = 0; i < inShape.size(); ++i) outShape[i] = inShape[i] * reps[i];
    const float* x = Float32Arg(info, 0, Product(inShape), "tile", "x");
    float* out = Float32Arg(info, 3, Product(outShape), "tile", "out");
    if (Product(outShape) == 0) return info.Env().Undefined();

    const size_t last = inShape.size() - 1;
    const int64_t rowIn = inShape[last], rowReps = reps[last], rowOut = outShape[last];
    int64_t rows = 1;
    for (size_t i = 0; i < last; ++i) rows *= outShape[i];
#pragma omp parallel for schedule(dynamic, RowsPerChunk(rowOut)) if (rows * rowOut > kParallelThreshold && rows > 1)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t rem = row, inRow = 0, inStride = 1;
      for (size_t d = last; d-- > 0;) {
        const int64_t coord = rem % outShape[d];
        rem /= outShape[d];
        inRow += (coord % inShape[d]) * inStride;
        inStride *= inShape[d];
      }
      const float* src = x + inRow * rowIn;
      float* dst = out + row * rowOut;
      if (rowIn == 1) {
        const float v = src[0];
        for (int64_t k = 0; k < rowReps; ++k) dst[k] = v;
      } else {
        for (int64_t k = 0; k < rowReps; ++k) std::memcpy(dst + k * rowIn, src, sizeof(float) * rowIn);
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace rbn
