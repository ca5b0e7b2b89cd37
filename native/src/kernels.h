// Functions exported to JavaScript. Each takes Float32Arrays owned by the TF.js CPU backend
// plus plain shape arrays, and writes its result into a caller-allocated output array.
#pragma once

#include <napi.h>

namespace rbn {

Napi::Value Conv2dForward(const Napi::CallbackInfo& info);
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info);
Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info);
Napi::Value Matmul(const Napi::CallbackInfo& info);
Napi::Value Pool2dForward(const Napi::CallbackInfo& info);
Napi::Value Pool2dBackward(const Napi::CallbackInfo& info);
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Binary(const Napi::CallbackInfo& info);
Napi::Value AddN(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);
Napi::Value Tile(const Napi::CallbackInfo& info);
Napi::Value Transpose(const Napi::CallbackInfo& info);
Napi::Value Slice(const Napi::CallbackInfo& info);
Napi::Value Pad(const Napi::CallbackInfo& info);
Napi::Value BatchNormForward(const Napi::CallbackInfo& info);
Napi::Value BatchMoments(const Napi::CallbackInfo& info);
Napi::Value BatchNormGradSums(const Napi::CallbackInfo& info);
Napi::Value BatchNormGradInput(const Napi::CallbackInfo& info);

}  // namespace rbn
