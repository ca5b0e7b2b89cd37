// Elementwise kernels: unary maps, binary ops with NumPy broadcasting and AddN. They are
// memory bound, so the aim is one pass over the data on every core; the broadcast walker
// merges dimensions that are contiguous in every operand so the inner loop is long and simple.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "dnnl_context.h"
#include "kernels.h"
#include "napi_args.h"
#include "parallel.h"

namespace rbn {
namespace {

enum class UnaryOp { Relu = 0, Relu6, Step, Neg, Square, Sqrt, Rsqrt, Exp, Log, Abs, Sigmoid, Tanh, Count };
// ReluGrad: a·step(b), the ReLU gradient dy·(x > 0) in one pass (NaN in x passes through as TF.js's step does).
enum class BinaryOp { Add = 0, Sub, Mul, Div, SquaredDifference, Maximum, Minimum, ReluGrad, Count };

template <UnaryOp Op>
void MapUnary(const float* x, float* y, int64_t n, float alpha) {
#pragma omp parallel for schedule(dynamic, kGrain) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    float r;
    if constexpr (Op == UnaryOp::Relu) r = v < 0.f ? 0.f : v;
    else if constexpr (Op == UnaryOp::Relu6) r = v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    else if constexpr (Op == UnaryOp::Step) r = std::isnan(v) ? v : (v > 0.f ? 1.f : alpha);
    else if constexpr (Op == UnaryOp::Neg) r = -v;
    else if constexpr (Op == UnaryOp::Square) r = v * v;
    else if constexpr (Op == UnaryOp::Sqrt) r = std::sqrt(v);
    else if constexpr (Op == UnaryOp::Rsqrt) r = 1.f / std::sqrt(v);
    else if constexpr (Op == UnaryOp::Exp) r = std::exp(v);
    else if constexpr (Op == UnaryOp::Log) r = std::log(v);
    else if constexpr (Op == UnaryOp::Abs) r = std::fabs(v);
    else if constexpr (Op == UnaryOp::Sigmoid) r = 1.f / (1.f + std::exp(-v));
    else r = std::tanh(v);
    y[i] = r;
  }
}

template <BinaryOp Op>
inline float Apply(float a, float b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  else if constexpr (Op == BinaryOp::Sub) return a - b;
  else if constexpr (Op == BinaryOp::Mul) return a * b;
  else if constexpr (Op == BinaryOp::Div) return a / b;
  else if constexpr (Op == BinaryOp::SquaredDifference) return (a - b) * (a - b);
  else if constexpr (Op == BinaryOp::Maximum) return (std::isnan(a) || std::isnan(b)) ? NAN : (a > b ? a : b);
  else if constexpr (Op == BinaryOp::ReluGrad) {
    // Two selects and a multiply, no branch, so the loop vectorises: a nested conditional
    // here compiled to scalar code ten times slower than Mul.
    float s = b > 0.f ? 1.f : 0.f;
    s = b != b ? b : s;
    return a * s;
  }
  else return (std::isnan(a) || std::isnan(b)) ? NAN : (a < b ? a : b);
}

// Inner loop specialised on whether each operand advances (stride 1) or is repeated (stride 0).
template <BinaryOp Op>
inline void Row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t len) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < len; ++i) out[i] = Apply<Op>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (int64_t i = 0; i < len; ++i) out[i] = Apply<Op>(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < len; ++i) out[i] = Apply<Op>(av, b[i]);
  } else {
    const float v = Apply<Op>(a[0], b[0]);
    for (int64_t i = 0; i < len; ++i) out[i] = v;
  }
}

struct BroadcastPlan {
  std::vector<int64_t> dims, strideA, strideB;  // collapsed, outermost first
};

BroadcastPlan Plan(const Napi::Env& env, std::vector<int64_t> aShape, std::vector<int64_t> bShape,
                   const std::vector<int64_t>& outShape) {
  const size_t rank = outShape.size();
  if (aShape.size() > rank || bShape.size() > rank) throw ArgError(env, "binary", "operand rank exceeds output rank");
  aShape.insert(aShape.begin(), rank - aShape.size(), 1);
  bShape.insert(bShape.begin(), rank - bShape.size(), 1);
  std::vector<int64_t> sa(rank), sb(rank);
  int64_t accA = 1, accB = 1;
  for (size_t i = rank; i-- > 0;) {
    for (const auto* shape : {&aShape, &bShape}) {
      const int64_t d = (*shape)[i];
      if (d != outShape[i] && d != 1) {
        throw ArgError(env, "binary", "operand dimension " + std::to_string(i) + " is " + std::to_string(d) +
                                          " but the output's is " + std::to_string(outShape[i]));
      }
    }
    sa[i] = aShape[i] == 1 ? 0 : accA;
    sb[i] = bShape[i] == 1 ? 0 : accB;
    accA *= aShape[i];
    accB *= bShape[i];
  }
  BroadcastPlan plan;
  for (size_t i = 0; i < rank; ++i) {
    if (outShape[i] == 1) continue;
    if (!plan.dims.empty() && plan.strideA.back() == sa[i] * outShape[i] &&
        plan.strideB.back() == sb[i] * outShape[i]) {
      plan.dims.back() *= outShape[i];
      plan.strideA.back() = sa[i];
      plan.strideB.back() = sb[i];
    } else {
      plan.dims.push_back(outShape[i]);
      plan.strideA.push_back(sa[i]);
      plan.strideB.push_back(sb[i]);
    }
  }
  if (plan.dims.empty()) {
    plan.dims = {1};
    plan.strideA = {0};
    plan.strideB = {0};
  }
  return plan;
}

template <BinaryOp Op>
void RunBinary(const BroadcastPlan& p, const float* a, const float* b, float* out) {
  const size_t inner = p.dims.size() - 1;
  const int64_t len = p.dims[inner];
  int64_t rows = 1;
  for (size_t i = 0; i < inner; ++i) rows *= p.dims[i];
#pragma omp parallel for schedule(dynamic, RowsPerChunk(len)) if (rows * len > kParallelThreshold && rows > 1)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, offA = 0, offB = 0;
    for (size_t d = inner; d-- > 0;) {
      const int64_t coord = rem % p.dims[d];
      rem /= p.dims[d];
      offA += coord * p.strideA[d];
      offB += coord * p.strideB[d];
    }
    Row<Op>(a + offA, p.strideA[inner], b + offB, p.strideB[inner], out + row * len, len);
  }
}

// A single long row (same-shape operands, or a scalar against a tensor) is split across
// threads here because the row loop above has nothing to share out.
template <BinaryOp Op>
void RunBinaryFlat(const BroadcastPlan& p, const float* a, const float* b, float* out) {
  const int64_t len = p.dims[0];
  const int64_t sa = p.strideA[0], sb = p.strideB[0];
  const int64_t chunks = (len + kGrain - 1) / kGrain;
#pragma omp parallel for schedule(dynamic, 1) if (len > kParallelThreshold)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t start = chunk * kGrain, end = std::min(len, start + kGrain);
    Row<Op>(a + start * sa, sa, b + start * sb, sb, out + start, end - start);
  }
}

template <BinaryOp Op>
void Dispatch(const BroadcastPlan& p, const float* a, const float* b, float* out) {
  if (p.dims.size() == 1) RunBinaryFlat<Op>(p, a, b, out);
  else RunBinary<Op>(p, a, b, out);
}

}  // namespace

// unary(x, out, op, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  return Guard(info, "unary", [&]() -> Napi::Value {
    if (info.Length() < 2 || !info[0].IsTypedArray()) throw ArgError(info.Env(), "unary", "x must be a Float32Array");
    const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
    const float* x = Float32Arg(info, 0, n, "unary", "x");
    float* y = Float32Arg(info, 1, n, "unary", "out");
    const int64_t op = IntArg(info, 2, "unary", "op");
    const float alpha = IsAbsent(info, 3) ? 0.f : static_cast<float>(NumberArg(info, 3, "unary", "alpha"));
    const int64_t len = static_cast<int64_t>(n);
    switch (static_cast<UnaryOp>(op)) {
      case UnaryOp::Relu: MapUnary<UnaryOp::Relu>(x, y, len, alpha); break;
      case UnaryOp::Relu6: MapUnary<UnaryOp::Relu6>(x, y, len, alpha); break;
      case UnaryOp::Step: MapUnary<UnaryOp::Step>(x, y, len, alpha); break;
      case UnaryOp::Neg: MapUnary<UnaryOp::Neg>(x, y, len, alpha); break;
      case UnaryOp::Square: MapUnary<UnaryOp::Square>(x, y, len, alpha); break;
      case UnaryOp::Sqrt: MapUnary<UnaryOp::Sqrt>(x, y, len, alpha); break;
      case UnaryOp::Rsqrt: MapUnary<UnaryOp::Rsqrt>(x, y, len, alpha); break;
      case UnaryOp::Exp: MapUnary<UnaryOp::Exp>(x, y, len, alpha); break;
      case UnaryOp::Log: MapUnary<UnaryOp::Log>(x, y, len, alpha); break;
      case UnaryOp::Abs: MapUnary<UnaryOp::Abs>(x, y, len, alpha); break;
      case UnaryOp::Sigmoid: MapUnary<UnaryOp::Sigmoid>(x, y, len, alpha); break;
      case UnaryOp::Tanh: MapUnary<UnaryOp::Tanh>(x, y, len, alpha); break;
      default: throw ArgError(info.Env(), "unary", "unknown op " + std::to_string(op));
    }
    return info.Env().Undefined();
  });
}

// binary(a, aShape, b, bShape, out, outShape, op)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  return Guard(info, "binary", [&]() -> Napi::Value {
    const auto aShape = IntsArg(info, 1, 0, 8, "binary", "aShape");
    const auto bShape = IntsArg(info, 3, 0, 8, "binary", "bShape");
    const auto outShape = IntsArg(info, 5, 0, 8, "binary", "outShape");
    const float* a = Float32Arg(info, 0, Product(aShape), "binary", "a");
    const float* b = Float32Arg(info, 2, Product(bShape), "binary", "b");
    float* out = Float32Arg(info, 4, Product(outShape), "binary", "out");
    const int64_t op = IntArg(info, 6, "binary", "op");
    if (Product(outShape) == 0) return info.Env().Undefined();
    const BroadcastPlan plan = Plan(info.Env(), aShape, bShape, outShape);
    switch (static_cast<BinaryOp>(op)) {
      case BinaryOp::Add: Dispatch<BinaryOp::Add>(plan, a, b, out); break;
      case BinaryOp::Sub: Dispatch<BinaryOp::Sub>(plan, a, b, out); break;
      case BinaryOp::Mul: Dispatch<BinaryOp::Mul>(plan, a, b, out); break;
      case BinaryOp::Div: Dispatch<BinaryOp::Div>(plan, a, b, out); break;
      case BinaryOp::SquaredDifference: Dispatch<BinaryOp::SquaredDifference>(plan, a, b, out); break;
      case BinaryOp::Maximum: Dispatch<BinaryOp::Maximum>(plan, a, b, out); break;
      case BinaryOp::Minimum: Dispatch<BinaryOp::Minimum>(plan, a, b, out); break;
      case BinaryOp::ReluGrad: Dispatch<BinaryOp::ReluGrad>(plan, a, b, out); break;
      default: throw ArgError(info.Env(), "binary", "unknown op " + std::to_string(op));
    }
    return info.Env().Undefined();
  });
}

// addN(inputs: Float32Array[], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return Guard(info, "addN", [&]() -> Napi::Value {
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsTypedArray()) {
      throw ArgError(info.Env(), "addN", "expects (Float32Array[], out)");
    }
    const size_t n = info[1].As<Napi::TypedArray>().ElementLength();
    float* out = Float32Arg(info, 1, n, "addN", "out");
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<const float*> inputs;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value v = list.Get(i);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
          v.As<Napi::Float32Array>().ElementLength() != n) {
        throw ArgError(info.Env(), "addN", "input " + std::to_string(i) + " is not a Float32Array of " +
                                               std::to_string(n) + " elements");
      }
      inputs.push_back(v.As<Napi::Float32Array>().Data());
    }
    if (inputs.empty()) throw ArgError(info.Env(), "addN", "needs at least one input");
    const int64_t len = static_cast<int64_t>(n);
#pragma omp parallel for schedule(dynamic, kGrain) if (len > kParallelThreshold)
    for (int64_t i = 0; i < len; ++i) {
      float s = inputs[0][i];
      for (size_t k = 1; k < inputs.size(); ++k) s += inputs[k][i];
      out[i] = s;
    }
    return info.Env().Undefined();
  });
}

}  // namespace rbn
