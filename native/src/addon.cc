// Entry point of the resbuilder_native addon: registers the kernels and a few introspection
// helpers (versions, thread count, primitive-cache sizes).
#include <napi.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "dnnl_context.h"
#include "kernels.h"

namespace rbn {
namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const dnnl_version_t* v = dnnl_version();
  Napi::Object out = Napi::Object::New(env);
  out.Set("dnnlVersion", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("maxThreads", omp_get_max_threads());
  out.Set("primitiveCacheCapacity", static_cast<double>(kPrimitiveCacheCapacity));
  return out;
}

Napi::Value CacheSizes(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("conv", static_cast<double>(ConvCacheSize()));
  out.Set("winograd", static_cast<double>(WinogradPrimitives()));
  out.Set("matmul", static_cast<double>(MatmulCacheSize()));
  out.Set("pool", static_cast<double>(PoolCacheSize()));
  return out;
}

Napi::Value ClearCaches(const Napi::CallbackInfo& info) {
  ClearConvCache();
  ClearMatmulCache();
  ClearPoolCache();
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw Napi::Error::New(info.Env(), "resbuilder native setNumThreads: expects a positive integer");
  }
  omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, Conv2dBackwardFilter));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("pool2dForward", Napi::Function::New(env, Pool2dForward));
  exports.Set("pool2dBackward", Napi::Function::New(env, Pool2dBackward));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("batchNormForward", Napi::Function::New(env, BatchNormForward));
  exports.Set("batchMoments", Napi::Function::New(env, BatchMoments));
  exports.Set("batchNormGradSums", Napi::Function::New(env, BatchNormGradSums));
  exports.Set("batchNormGradInput", Napi::Function::New(env, BatchNormGradInput));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("cacheSizes", Napi::Function::New(env, CacheSizes));
  exports.Set("clearCaches", Napi::Function::New(env, ClearCaches));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  return exports;
}

}  // namespace
}  // namespace rbn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return rbn::Init(env, exports); }

NODE_API_MODULE(resbuilder_native, InitAddon)
