// Layout kernels: Transpose, Slice and constant Pad. The `reference` block style pads a
// shortcut's channels the way the authors' Keras code does (Permute, ZeroPadding2D, Permute),
// so a training step runs Transpose, PadV2 and, in the gradient, Slice on full activations.
// TF.js's CPU kernels walk those element by element through index arithmetic; here each is
// a loop over rows of the innermost dimension, split across cores.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {
namespace {

constexpr size_t kMaxRank = 8;

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

// Copies the box `size` starting at `srcBegin` in src (shape srcShape) to the box starting at
// `dstBegin` in dst (shape dstShape): one memcpy per innermost row.
void CopyBox(const float* src, const std::vector<int64_t>& srcShape, const std::vector<int64_t>& srcBegin,
             float* dst, const std::vector<int64_t>& dstShape, const std::vector<int64_t>& dstBegin,
             const std::vector<int64_t>& size) {
  const size_t rank = size.size();
  if (Product(size) == 0) return;
  const auto srcStrides = RowMajorStrides(srcShape), dstStrides = RowMajorStrides(dstShape);
  const int64_t rowLen = size[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= size[d];
  int64_t srcBase = 0, dstBase = 0;
  for (size_t d = 0; d < rank; ++d) {
    srcBase += srcBegin[d] * srcStrides[d];
    dstBase += dstBegin[d] * dstStrides[d];
  }
#pragma omp parallel for schedule(dynamic, RowsPerChunk(rowLen)) if (rows * rowLen > kParallelThreshold && rows > 1)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, srcOff = srcBase, dstOff = dstBase;
    for (size_t d = rank - 1; d-- > 0;) {
      const int64_t coord = rem % size[d];
      rem /= size[d];
      srcOff += coord * srcStrides[d];
      dstOff += coord * dstStrides[d];
    }
    std::memcpy(dst + dstOff, src + srcOff, sizeof(float) * rowLen);
  }
}

}  // namespace

// transpose(x, inShape, perm, out)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Guard(info, "transpose", [&]() -> Napi::Value {
    const auto inShape = IntsArg(info, 1, 1, kMaxRank, "transpose", "inShape");
    const auto perm = IntsArg(info, 2, inShape.size(), inShape.size(), "transpose", "perm");
    const size_t rank = inShape.size();
    std::vector<bool> seen(rank, false);
    for (const int64_t p : perm) {
      if (p >= static_cast<int64_t>(rank) || seen[p]) throw ArgError(info.Env(), "transpose", "perm is not a permutation of 0.." + std::to_string(rank - 1));
      seen[p] = true;
    }
    std::vector<int64_t> outShape(rank);
    for (size_t i = 0; i < rank; ++i) outShape[i] = inShape[perm[i]];
    const float* x = Float32Arg(info, 0, Product(inShape), "transpose", "x");
    float* out = Float32Arg(info, 3, Product(outShape), "transpose", "out");
    if (Product(outShape) == 0) return info.Env().Undefined();

    const auto inStrides = RowMajorStrides(inShape);
    // Input stride of each output dimension: walking the output in order reads the input here.
    std::vector<int64_t> readStride(rank);
    for (size_t i = 0; i < rank; ++i) readStride[i] = inStrides[perm[i]];
    const int64_t rowLen = outShape[rank - 1], step = readStride[rank - 1];
    const int64_t rows = static_cast<int64_t>(Product(outShape)) / rowLen;
#pragma omp parallel for schedule(dynamic, RowsPerChunk(rowLen)) if (rows * rowLen > kParallelThreshold && rows > 1)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t rem = row, off = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        off += (rem % outShape[d]) * readStride[d];
        rem /= outShape[d];
      }
      const float* src = x + off;
      float* dst = out + row * rowLen;
      if (step == 1) {
        std::memcpy(dst, src, sizeof(float) * rowLen);
      } else {
        for (int64_t k = 0; k < rowLen; ++k) dst[k] = src[k * step];
      }
    }
    return info.Env().Undefined();
  });
}

// slice(x, inShape, begin, size, out)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Guard(info, "slice", [&]() -> Napi::Value {
    const auto inShape = IntsArg(info, 1, 1, kMaxRank, "slice", "inShape");
    const auto begin = IntsArg(info, 2, inShape.size(), inShape.size(), "slice", "begin");
    const auto size = IntsArg(info, 3, inShape.size(), inShape.size(), "slice", "size");
    for (size_t d = 0; d < inShape.size(); ++d) {
      if (begin[d] + size[d] > inShape[d]) {
        throw ArgError(info.Env(), "slice", "dimension " + std::to_string(d) + ": begin " + std::to_string(begin[d]) + " + size " +
                                                std::to_string(size[d]) + " exceeds " + std::to_string(inShape[d]));
      }
    }
    const float* x = Float32Arg(info, 0, Product(inShape), "slice", "x");
    float* out = Float32Arg(info, 4, Product(size), "slice", "out");
    CopyBox(x, inShape, begin, out, size, std::vector<int64_t>(size.size(), 0), size);
    return info.Env().Undefined();
  });
}

// pad(x, inShape, before, after, value, out): constant padding.
Napi::Value Pad(const Napi::CallbackInfo& info) {
  return Guard(info, "pad", [&]() -> Napi::Value {
    const auto inShape = IntsArg(info, 1, 1, kMaxRank, "pad", "inShape");
    const auto before = IntsArg(info, 2, inShape.size(), inShape.size(), "pad", "before");
    const auto after = IntsArg(info, 3, inShape.size(), inShape.size(), "pad", "after");
    const float value = static_cast<float>(NumberArg(info, 4, "pad", "value"));
    std::vector<int64_t> outShape(inShape.size());
    for (size_t d = 0; d < inShape.size(); ++d) outShape[d] = before[d] + inShape[d] + after[d];
    const float* x = Float32Arg(info, 0, Product(inShape), "pad", "x");
    float* out = Float32Arg(info, 5, Product(outShape), "pad", "out");
    const int64_t n = static_cast<int64_t>(Product(outShape));
#pragma omp parallel for schedule(dynamic, kGrain) if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i) out[i] = value;
    CopyBox(x, inShape, std::vector<int64_t>(inShape.size(), 0), out, outShape, before, inShape);
    return info.Env().Undefined();
  });
}

}  // namespace rbn
