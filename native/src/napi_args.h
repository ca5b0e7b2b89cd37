// Argument checks shared by every exported function: a wrong length or type becomes a
// JavaScript Error naming the kernel and the argument instead of a read past a buffer.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rbn {

inline Napi::Error ArgError(const Napi::Env& env, const char* kernel, const std::string& what) {
  return Napi::Error::New(env, std::string("resbuilder native ") + kernel + ": " + what);
}

// Returns the data pointer of a Float32Array holding exactly `expected` elements.
inline float* Float32Arg(const Napi::CallbackInfo& info, size_t index, size_t expected,
                         const char* kernel, const char* name) {
  const Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw ArgError(env, kernel, std::string(name) + " must be a Float32Array");
  }
  Napi::Float32Array arr = info[index].As<Napi::Float32Array>();
  if (arr.ElementLength() != expected) {
    throw ArgError(env, kernel,
                   std::string(name) + " has " + std::to_string(arr.ElementLength()) +
                       " elements but its shape needs " + std::to_string(expected));
  }
  return arr.Data();
}

// Reads an array of non-negative integers (shapes, strides, paddings).
inline std::vector<int64_t> IntsArg(const Napi::CallbackInfo& info, size_t index, size_t minLen,
                                    size_t maxLen, const char* kernel, const char* name) {
  const Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsArray()) {
    throw ArgError(env, kernel, std::string(name) + " must be an array of integers");
  }
  Napi::Array arr = info[index].As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n < minLen || n > maxLen) {
    throw ArgError(env, kernel,
                   std::string(name) + " has " + std::to_string(n) + " entries, expected " +
                       std::to_string(minLen) + (minLen == maxLen ? "" : ".." + std::to_string(maxLen)));
  }
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value v = arr.Get(i);
    if (!v.IsNumber()) throw ArgError(env, kernel, std::string(name) + " must hold numbers");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d < 0 || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw ArgError(env, kernel, std::string(name) + "[" + std::to_string(i) +
                                      "] must be a non-negative integer, got " + std::to_string(d));
    }
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

inline int64_t IntArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw ArgError(info.Env(), kernel, std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().Int64Value();
}

inline double NumberArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw ArgError(info.Env(), kernel, std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

inline bool BoolArg(const Napi::CallbackInfo& info, size_t index) {
  return index < info.Length() && info[index].ToBoolean().Value();
}

inline bool IsAbsent(const Napi::CallbackInfo& info, size_t index) {
  return index >= info.Length() || info[index].IsNull() || info[index].IsUndefined();
}

inline size_t Product(const std::vector<int64_t>& dims) {
  size_t p = 1;
  for (int64_t d : dims) p *= static_cast<size_t>(d);
  return p;
}

// A channel-last activation viewed as [rows][channels].
struct ChannelLayout {
  size_t size;
  int64_t rows, channels;
};

// Reads the channel count at `channelsIndex` and checks that x (at `xIndex`) holds whole rows of it.
inline ChannelLayout ReadChannelLayout(const Napi::CallbackInfo& info, size_t xIndex, size_t channelsIndex, const char* kernel) {
  const int64_t c = IntArg(info, channelsIndex, kernel, "channels");
  if (c < 1) throw ArgError(info.Env(), kernel, "channels must be at least 1, got " + std::to_string(c));
  if (xIndex >= info.Length() || !info[xIndex].IsTypedArray()) {
    throw ArgError(info.Env(), kernel, "x must be a Float32Array");
  }
  const size_t n = info[xIndex].As<Napi::TypedArray>().ElementLength();
  if (n % static_cast<size_t>(c) != 0) {
    throw ArgError(info.Env(), kernel, "x has " + std::to_string(n) + " elements, not a multiple of the " +
                                           std::to_string(c) + " channels");
  }
  return {n, static_cast<int64_t>(n / static_cast<size_t>(c)), c};
}

}  // namespace rbn
