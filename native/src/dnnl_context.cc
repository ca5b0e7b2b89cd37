#include "dnnl_context.h"

#include <string>

namespace rbn {

dnnl::engine& Engine() {
  static dnnl::engine& engine = *new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  static dnnl::stream& stream = *new dnnl::stream(Engine());
  return stream;
}

Napi::Value Guard(const Napi::CallbackInfo& info, const char* kernel,
                  const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("resbuilder native ") + kernel +
                                           ": oneDNN failed (status " + std::to_string(e.status) +
                                           "): " + e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("resbuilder native ") + kernel + ": " + e.what());
  }
}

}  // namespace rbn
