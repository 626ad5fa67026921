// One budget of fitting threads for the whole process. The binding keeps a single instance, shared
// by the main thread and every Worker, because each environment that fits on its own team of
// OpenMP threads multiplies threads past the cores: four concurrent 8-thread fits took a Node
// process from 7 to 39 threads.
//
// Asynchronous fits queue, first come first served, until the threads they ask for are free, and
// only then start a thread of their own: a queued fit costs no thread. A synchronous caller cannot
// wait (it would block its event loop on another one), so it takes what is free, and one thread
// when nothing is.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace ekm {

class ThreadBudget {
 public:
  // Called once with the granted threads, which its owner gives back with release().
  using Grant = std::function<void(int threads)>;

  explicit ThreadBudget(int capacity) : capacity_(std::max(1, capacity)), available_(capacity_) {}

  int capacity() const { return capacity_; }

  // Queues a request for `wanted` threads (at most the capacity). `grant` runs when every earlier
  // request is served and the threads are free: at once on this thread, or later on the thread
  // whose release() frees them. Returns a ticket for withdraw().
  std::uint64_t request(int wanted, Grant grant) {
    std::vector<std::pair<Grant, int>> granted;
    std::uint64_t ticket;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ticket = next_ticket_++;
      queue_.push_back(Waiter{ticket, clamp(wanted), std::move(grant)});
      granted = grant_waiting();
    }
    run(granted);
    return ticket;
  }

  // Withdraws a request that has not been granted; false when it already was.
  bool withdraw(std::uint64_t ticket) {
    std::vector<std::pair<Grant, int>> granted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto found = std::find_if(queue_.begin(), queue_.end(), [&](const Waiter& w) { return w.ticket == ticket; });
      if (found == queue_.end()) return false;
      queue_.erase(found);
      // The one behind it may fit in what is free.
      granted = grant_waiting();
    }
    run(granted);
    return true;
  }

  // Takes up to `wanted` free threads without waiting, and one when none is free.
  int take(int wanted) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int granted = std::max(1, std::min(clamp(wanted), available_));
    available_ -= granted;
    return granted;
  }

  void release(int threads) {
    std::vector<std::pair<Grant, int>> granted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      available_ += threads;
      granted = grant_waiting();
    }
    run(granted);
  }

  struct State {
    int capacity;
    int available;
    std::size_t waiting;
  };

  State state() {
    std::lock_guard<std::mutex> lock(mutex_);
    return State{capacity_, available_, queue_.size()};
  }

 private:
  struct Waiter {
    std::uint64_t ticket;
    int threads;
    Grant grant;
  };

  int clamp(int wanted) const { return std::max(1, std::min(wanted, capacity_)); }

  // Under the lock: takes threads for the waiters at the front that fit, in order.
  std::vector<std::pair<Grant, int>> grant_waiting() {
    std::vector<std::pair<Grant, int>> granted;
    while (!queue_.empty() && queue_.front().threads <= available_) {
      available_ -= queue_.front().threads;
      granted.emplace_back(std::move(queue_.front().grant), queue_.front().threads);
      queue_.pop_front();
    }
    return granted;
  }

  // Outside the lock, so that a grant may call back into the budget.
  static void run(std::vector<std::pair<Grant, int>>& granted) {
    for (auto& [grant, threads] : granted) grant(threads);
  }

  const int capacity_;
  std::mutex mutex_;
  int available_;  // below zero while synchronous callers borrow past the capacity
  std::deque<Waiter> queue_;
  std::uint64_t next_ticket_ = 0;
};

}  // namespace ekm
