// bench_wake: how long a thread takes to run again after it is handed work, by how long it sat
// idle first, when it waits the way a detached actor does (asleep on a condition variable) and
// the way a lingering one does (actors/linger.hpp: yielding). bench/bench_wake.py runs it.
//
// Each round: the waker busy-waits `gap` us (the other thread idles all that time), then
// stamps the time and hands over work; the waiter stamps when it sees it. Printed per gap:
// median and p90 of those delays in us, both ways.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using clk = std::chrono::steady_clock;

struct result {
  double median, p90;
};

/// `rounds` hand-overs after `gap` us of idling; `yielding`: the waiter yields instead of sleeping.
result measure(int gap_us, int rounds, bool yielding) {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<int> posted{0}, seen{0};
  std::atomic<bool> stop{false};
  clk::time_point sent, got;
  std::thread waiter([&] {
    for (int n = 1;; ++n) {
      if (yielding) {
        while (posted.load(std::memory_order_acquire) < n && !stop.load()) std::this_thread::yield();
      } else {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return posted.load() >= n || stop.load(); });
      }
      if (stop.load()) return;
      got = clk::now();
      seen.store(n, std::memory_order_release);
    }
  });
  std::vector<double> delays;
  for (int n = 1; n <= rounds; ++n) {
    const auto until = clk::now() + std::chrono::microseconds(gap_us);
    while (clk::now() < until) {
    }
    {
      std::lock_guard<std::mutex> g(mu);
      sent = clk::now();
      posted.store(n, std::memory_order_release);
    }
    cv.notify_one();
    while (seen.load(std::memory_order_acquire) < n) {
    }
    delays.push_back(std::chrono::duration<double, std::micro>(got - sent).count());
  }
  {
    std::lock_guard<std::mutex> g(mu);
    stop = true;
  }
  cv.notify_one();
  waiter.join();
  std::sort(delays.begin(), delays.end());
  return {delays[delays.size() / 2], delays[delays.size() * 9 / 10]};
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 200;
  std::vector<int> gaps{10, 100, 200, 400, 1000, 3000};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--max-gap")) {
      const int m = std::atoi(argv[i + 1]);
      gaps.erase(std::remove_if(gaps.begin(), gaps.end(), [m](int g) { return g > m; }), gaps.end());
    }
  }
  std::printf("%8s | %24s | %24s | %5s\n", "idle us", "asleep: median / p90 us", "yielding: median / p90 us",
              "ratio");
  for (int gap : gaps) {
    const result s = measure(gap, rounds, false), y = measure(gap, rounds, true);
    std::printf("%8d | %12.1f / %9.1f | %13.1f / %9.1f | %5.1f\n", gap, s.median, s.p90, y.median, y.p90,
                s.median / std::max(y.median, 0.01));
  }
  return 0;
}
