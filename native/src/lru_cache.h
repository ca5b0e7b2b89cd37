// Primitive creation in oneDNN costs far more than running a small primitive, and a training
// loop repeats the same few shapes, so primitives are kept per shape key. The bound keeps a
// search that keeps changing layer widths from growing memory without limit.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

namespace rbn {

template <typename V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<V> Get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void Put(const std::string& key, std::shared_ptr<V> value) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    while (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t Size() const { return order_.size(); }
  template <typename Predicate>
  size_t CountIf(Predicate keep) const {
    size_t n = 0;
    for (const auto& entry : order_) n += keep(*entry.second) ? 1 : 0;
    return n;
  }
  void Clear() {
    order_.clear();
    index_.clear();
  }

 private:
  size_t capacity_;
  std::list<std::pair<std::string, std::shared_ptr<V>>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, std::shared_ptr<V>>>::iterator> index_;
};

template <typename... Parts>
std::string CacheKey(const char* kind, const Parts&... parts) {
  std::string key(kind);
  ((key += ':', key += std::to_string(parts)), ...);
  return key;
}

}  // namespace rbn
