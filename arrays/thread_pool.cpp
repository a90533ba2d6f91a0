/// thread_pool: jobs are shared between workers; chunks are claimed with an atomic counter.
#include "arrays/thread_pool.hpp"

#include <atomic>
#include <exception>

namespace shoal {

struct thread_pool::job {
  const std::function<void(std::int64_t)>* fn;
  std::int64_t n;
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;  // guarded by mu
  std::mutex mu;
  std::condition_variable finished;
};

thread_pool::thread_pool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

thread_pool::~thread_pool() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void thread_pool::work_on(job& j) {
  for (;;) {
    const std::int64_t c = j.next.fetch_add(1, std::memory_order_relaxed);
    if (c >= j.n) return;
    if (!j.failed.load(std::memory_order_relaxed)) {
      try {
        (*j.fn)(c);
      } catch (...) {
        std::lock_guard<std::mutex> lk(j.mu);
        if (!j.error) j.error = std::current_exception();
        j.failed = true;
      }
    }
    if (j.done.fetch_add(1, std::memory_order_acq_rel) + 1 == j.n) {
      std::lock_guard<std::mutex> lk(j.mu);  // pairs with the waiter's predicate check
      j.finished.notify_all();
    }
  }
}

void thread_pool::worker_loop() {
  for (;;) {
    std::shared_ptr<job> j;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stop_ || !jobs_.empty(); });
      if (stop_ && jobs_.empty()) return;
      j = jobs_.front();
      // a job whose chunks are all claimed needs no more helpers
      if (j->next.load(std::memory_order_relaxed) >= j->n) {
        jobs_.pop_front();
        continue;
      }
    }
    work_on(*j);
    std::lock_guard<std::mutex> lk(mu_);
    if (!jobs_.empty() && jobs_.front() == j) jobs_.pop_front();
  }
}

void thread_pool::parallel_for(std::int64_t n_chunks,
                               const std::function<void(std::int64_t)>& fn) {
  if (n_chunks <= 0) return;
  if (workers_.empty() || n_chunks == 1) {
    for (std::int64_t c = 0; c < n_chunks; ++c) fn(c);
    return;
  }
  auto j = std::make_shared<job>();
  j->fn = &fn;
  j->n = n_chunks;
  {
    std::lock_guard<std::mutex> lk(mu_);
    jobs_.push_back(j);
  }
  if (n_chunks == 2) cv_.notify_one(); else cv_.notify_all();
  work_on(*j);
  {
    std::unique_lock<std::mutex> lk(j->mu);
    j->finished.wait(lk, [&] { return j->done.load(std::memory_order_acquire) == j->n; });
  }
  {
    // drop it from the queue if no worker did (workers also skip exhausted jobs)
    std::lock_guard<std::mutex> lk(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
      if (*it == j) {
        jobs_.erase(it);
        break;
      }
  }
  if (j->error) std::rethrow_exception(j->error);
}

}  // namespace shoal
