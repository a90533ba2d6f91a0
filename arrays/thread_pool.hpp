#pragma once
/// A small fixed-size thread pool for spreading one kernel over the cores of a socket.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace shoal {

/// `threads` is the parallelism of one parallel_for: threads - 1 workers plus the calling
/// thread (0 or 1: no workers, chunks run inline). parallel_for may be called concurrently
/// from several threads and from inside a chunk (the caller always works on its own job, so
/// nesting cannot deadlock).
class thread_pool {
 public:
  explicit thread_pool(int threads);
  ~thread_pool();
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;

  /// Parallelism of one parallel_for (workers + caller), >= 1.
  int size() const { return int(workers_.size()) + 1; }

  /// Runs fn(0) .. fn(n_chunks - 1) on the workers and the calling thread; returns when all
  /// are done. The first exception thrown by a chunk is rethrown here (chunks not yet
  /// started are then skipped).
  void parallel_for(std::int64_t n_chunks, const std::function<void(std::int64_t chunk)>& fn);

 private:
  struct job;
  void worker_loop();
  static void work_on(job& j);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<job>> jobs_;
  bool stop_ = false;
};

}  // namespace shoal
