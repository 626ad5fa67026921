// Node-API binding: converts arguments and results, and owns the asynchronous fits. Validation
// happens in lib/validate.ts; the checks here keep anything JavaScript can do from crashing the
// process or making the core read memory the fit does not own or keep alive.
//
// How an asynchronous fit stays safe:
// - It runs on a thread of its own, not as napi_async_work: Node waits for every queued work item
//   before it tears an environment down, so a Worker's terminate() would wait for the whole fit,
//   and the completion callback would then run where no JavaScript can. Our thread stops at the
//   next iteration, k-means++ centre or k-means|| round once its environment goes away.
// - It reads only memory it owns or that cannot go away: arrays on an ArrayBuffer are copied when
//   the fit starts (a transfer, ArrayBuffer.prototype.transfer or a resize frees or moves an
//   ArrayBuffer's memory under a reader, and Node-API cannot pin it); arrays on a
//   SharedArrayBuffer, which can neither be detached nor shrink, are read in place and kept alive
//   by a reference until the fit has stopped reading them.
// - It reports through a thread-safe function whose callbacks use the plain C API and never throw:
//   an exception thrown out of a callback while the environment shuts down aborts the process.
// - A synchronous fit reads its arrays in place; after every onIteration or onSeeding call it checks that they
//   are still attached, the same length and at the same address, and throws a TypeError if not.
//
// The addon is linked with -z nodelete (CMakeLists.txt): Node unloads a Worker's addons when the
// Worker exits, while OpenMP's idle threads are still parked in code of the addon and libgomp.
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dispatch.hpp"
#include "parallel.hpp"
#include "thread_budget.hpp"

namespace {

enum class DType { f32, f64 };

ekm::ThreadBudget& budget() {
  // Never destroyed: fit threads may still be winding down while the process exits.
  static ekm::ThreadBudget* const instance = new ekm::ThreadBudget(ekm::has_openmp() ? ekm::max_threads() : 1);
  return *instance;
}

// ---- Typed arrays, read through the C API (node-addon-api's ArrayBuffer() fails on a
// SharedArrayBuffer) ----

struct FloatArray {
  napi_value value = nullptr;
  DType dtype = DType::f64;
  const void* data = nullptr;
  std::size_t length = 0;
  bool shared = false;  // on a SharedArrayBuffer: it cannot be detached or shrink

  std::size_t bytes() const { return length * (dtype == DType::f32 ? sizeof(float) : sizeof(double)); }
};

bool read_float_array(napi_env env, napi_value value, FloatArray& out) {
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) return false;
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value buffer = nullptr;
  std::size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &out.length, &data, &buffer, &offset) != napi_ok) return false;
  if (type != napi_float32_array && type != napi_float64_array) return false;
  bool is_plain_buffer = false;
  if (napi_is_arraybuffer(env, buffer, &is_plain_buffer) != napi_ok) return false;
  out.value = value;
  out.dtype = type == napi_float32_array ? DType::f32 : DType::f64;
  out.data = data;
  out.shared = !is_plain_buffer;
  return true;
}

FloatArray float_array(const Napi::Value& value, const char* name) {
  FloatArray array;
  if (!read_float_array(value.Env(), value, array)) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array or Float64Array");
  }
  return array;
}

// An array read with float_array(), checked against the element type and length it must have.
const FloatArray& with_shape(Napi::Env env, const FloatArray& array, DType dtype, std::size_t length, const char* name) {
  if (array.dtype != dtype) throw Napi::TypeError::New(env, std::string(name) + " must have the element type of the data");
  if (array.length != length) throw Napi::RangeError::New(env, std::string(name) + " has the wrong length");
  return array;
}

FloatArray float_array(const Napi::Value& value, DType dtype, std::size_t length, const char* name) {
  return with_shape(value.Env(), float_array(value, name), dtype, length, name);
}

// Whether `array` still has the memory it had when the fit started.
bool still_attached(napi_env env, const FloatArray& array) {
  FloatArray now;
  if (!read_float_array(env, array.value, now)) return false;
  return now.data == array.data && now.length == array.length;
}

// ---- The request ----

// A seeding method by its name: 'k-means++', 'k-means||' or 'random'.
ekm::Init drawn_init(const Napi::Value& init) {
  const std::string method = init.As<Napi::String>();
  if (method == "k-means++") return ekm::Init::kmeans_plus_plus;
  if (method == "k-means||") return ekm::Init::kmeans_parallel;
  if (method == "random") return ekm::Init::random;
  throw Napi::RangeError::New(init.Env(), "init must be 'k-means++', 'k-means||', 'random' or centres");
}

struct Request {
  std::size_t n = 0, d = 0, k = 0;
  FloatArray data;
  std::optional<FloatArray> weights;
  std::optional<FloatArray> init_centers;
  ekm::Options options;

  std::vector<const FloatArray*> arrays() const {
    std::vector<const FloatArray*> all{&data};
    if (weights) all.push_back(&*weights);
    if (init_centers) all.push_back(&*init_centers);
    return all;
  }
};

std::size_t size_field(const Napi::Object& object, const char* key) {
  const Napi::Value value = object.Get(key);
  if (!value.IsNumber() || !(value.As<Napi::Number>().DoubleValue() >= 1) || value.As<Napi::Number>().DoubleValue() > 9007199254740991.0) {
    throw Napi::RangeError::New(object.Env(), std::string(key) + " must be a positive number");
  }
  return static_cast<std::size_t>(value.As<Napi::Number>().DoubleValue());
}

std::size_t checked_product(Napi::Env env, std::size_t a, std::size_t b) {
  if (b != 0 && a > SIZE_MAX / b) throw Napi::RangeError::New(env, "n × d is too large");
  return a * b;
}

Request parse_request(const Napi::Object& object) {
  const Napi::Env env = object.Env();
  Request r;
  r.n = size_field(object, "n");
  r.d = size_field(object, "d");
  r.k = size_field(object, "k");
  if (r.k > r.n) throw Napi::RangeError::New(env, "k must not exceed n");

  r.data = float_array(object.Get("data"), "data");
  with_shape(env, r.data, r.data.dtype, checked_product(env, r.n, r.d), "data");

  const Napi::Value weights = object.Get("weights");
  if (!weights.IsNull() && !weights.IsUndefined()) r.weights = float_array(weights, DType::f64, r.n, "weights");

  const Napi::Value init = object.Get("init");
  if (init.IsString()) {
    r.options.init = drawn_init(init);
  } else {
    r.options.init = ekm::Init::explicit_centers;
    r.init_centers = float_array(init, r.data.dtype, checked_product(env, r.k, r.d), "init");
  }

  r.options.n_init = size_field(object, "nInit");
  r.options.max_iterations = size_field(object, "maxIterations");
  const Napi::Value tolerance = object.Get("tolerance");
  if (!tolerance.IsNumber()) throw Napi::TypeError::New(env, "tolerance must be a number");
  r.options.tolerance = tolerance.As<Napi::Number>().DoubleValue();
  const Napi::Value seed = object.Get("seed");
  if (!seed.IsNumber()) throw Napi::TypeError::New(env, "seed must be a number");
  r.options.seed = seed.As<Napi::Number>().Uint32Value();
  r.options.threads = static_cast<int>(std::min<std::size_t>(size_field(object, "threads"), 1 << 20));
  const Napi::Value algorithm_value = object.Get("algorithm");
  if (!algorithm_value.IsString()) throw Napi::TypeError::New(env, "algorithm must be a string");
  const std::string algorithm = algorithm_value.As<Napi::String>();
  if (algorithm == "elkan") r.options.algorithm = ekm::Algorithm::elkan;
  else if (algorithm == "hamerly") r.options.algorithm = ekm::Algorithm::hamerly;
  else if (algorithm == "yinyang") r.options.algorithm = ekm::Algorithm::yinyang;
  else if (algorithm == "lloyd") r.options.algorithm = ekm::Algorithm::lloyd;
  else throw Napi::RangeError::New(env, "algorithm must be 'elkan', 'hamerly', 'yinyang' or 'lloyd'");
  const Napi::Value metric_value = object.Get("metric");
  if (!metric_value.IsString()) throw Napi::TypeError::New(env, "metric must be a string");
  const std::string metric = metric_value.As<Napi::String>();
  if (metric == "euclidean") r.options.metric = ekm::Metric::euclidean;
  else if (metric == "cosine") r.options.metric = ekm::Metric::cosine;
  else throw Napi::RangeError::New(env, "metric must be 'euclidean' or 'cosine'");
  return r;
}

// Threads worth asking the budget for: no more than it has, nor than the points can use.
int wanted_threads(const Request& r) { return ekm::effective_threads(std::min(r.options.threads, budget().capacity()), r.n); }

// ---- The fit ----

// The result of either element type, kept until it is converted on the JavaScript thread.
struct Outcome {
  std::optional<ekm::FitResult<float>> f32;
  std::optional<ekm::FitResult<double>> f64;
};

enum class Status { ok, aborted, out_of_memory, failed };

struct RunResult {
  Status status = Status::ok;
  Outcome outcome;
  std::string message;
};

RunResult run_fit(const Request& r, int threads, const ekm::Hooks& hooks, const std::atomic<bool>* cancel) {
  ekm::Options options = r.options;
  options.threads = threads;
  options.cancel = cancel;
  const double* weights = r.weights ? static_cast<const double*>(r.weights->data) : nullptr;
  const void* init = r.init_centers ? r.init_centers->data : nullptr;
  RunResult result;
  try {
    if (r.data.dtype == DType::f32) {
      const ekm::Problem<float> p{static_cast<const float*>(r.data.data), r.n, r.d, r.k, weights, threads};
      result.outcome.f32 = ekm::kernels().fit_float(p, options, static_cast<const float*>(init), hooks);
    } else {
      const ekm::Problem<double> p{static_cast<const double*>(r.data.data), r.n, r.d, r.k, weights, threads};
      result.outcome.f64 = ekm::kernels().fit_double(p, options, static_cast<const double*>(init), hooks);
    }
  } catch (const ekm::Cancelled&) {
    result.status = Status::aborted;
  } catch (const std::bad_alloc&) {
    result.status = Status::out_of_memory;
  } catch (const std::exception& e) {
    result.status = Status::failed;
    result.message = e.what();
  }
  return result;
}

// ---- Results and errors through the C API: these run where the environment may be shutting
// down, so every step checks its status instead of throwing ----

template <class T>
bool set_typed_array(napi_env env, napi_value object, const char* key, napi_typedarray_type type, const std::vector<T>& values) {
  void* data = nullptr;
  napi_value buffer, array;
  if (napi_create_arraybuffer(env, values.size() * sizeof(T), &data, &buffer) != napi_ok) return false;
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(T));
  return napi_create_typedarray(env, type, values.size(), buffer, 0, &array) == napi_ok &&
         napi_set_named_property(env, object, key, array) == napi_ok;
}

bool set_number(napi_env env, napi_value object, const char* key, double number) {
  napi_value value;
  return napi_create_double(env, number, &value) == napi_ok && napi_set_named_property(env, object, key, value) == napi_ok;
}

template <class T>
napi_value result_object(napi_env env, const ekm::FitResult<T>& result) {
  napi_value object, converged;
  if (napi_create_object(env, &object) != napi_ok) return nullptr;
  const bool ok = set_typed_array(env, object, "labels", napi_int32_array, result.labels) &&
                  set_typed_array(env, object, "centroids", std::is_same<T, float>::value ? napi_float32_array : napi_float64_array, result.centroids) &&
                  set_number(env, object, "inertia", result.inertia) &&
                  set_number(env, object, "iterations", static_cast<double>(result.iterations)) &&
                  napi_get_boolean(env, result.converged, &converged) == napi_ok &&
                  napi_set_named_property(env, object, "converged", converged) == napi_ok &&
                  set_number(env, object, "threads", result.threads);
  return ok ? object : nullptr;
}

napi_value result_object(napi_env env, const Outcome& outcome) {
  return outcome.f32 ? result_object(env, *outcome.f32) : result_object(env, *outcome.f64);
}

enum class ErrorKind { plain, type, range };

napi_value make_error(napi_env env, ErrorKind kind, const char* code, const std::string& message) {
  napi_value code_value = nullptr, message_value, error = nullptr;
  if (code != nullptr && napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok) return nullptr;
  if (napi_create_string_utf8(env, message.c_str(), message.size(), &message_value) != napi_ok) return nullptr;
  const napi_status status = kind == ErrorKind::type    ? napi_create_type_error(env, code_value, message_value, &error)
                             : kind == ErrorKind::range ? napi_create_range_error(env, code_value, message_value, &error)
                                                        : napi_create_error(env, code_value, message_value, &error);
  return status == napi_ok ? error : nullptr;
}

const char* const ABORT_MESSAGE = "The k-means fit was aborted.";
const char* const MEMORY_MESSAGE =
    "Not enough memory for this fit: reduce n or k, use algorithm: 'lloyd' (no n × k bounds), or pass float32 data.";
const char* const DETACHED_MESSAGE =
    "The points (or weights) were detached or resized while the fit read them, by onIteration: leave their ArrayBuffer "
    "alone until kmeansSync returns, or use kmeans(), which works on its own copy.";

napi_value failure_error(napi_env env, const RunResult& run) {
  switch (run.status) {
    case Status::aborted: return make_error(env, ErrorKind::plain, "ABORT_ERR", ABORT_MESSAGE);
    case Status::out_of_memory: return make_error(env, ErrorKind::range, nullptr, MEMORY_MESSAGE);
    default: return make_error(env, ErrorKind::plain, nullptr, run.message);
  }
}

// Calls callback(values...). Returns napi_ok and whether it asked to stop (returned true), or the
// failing status with the exception (if any) left pending.
template <std::size_t N>
napi_status call_report_callback(napi_env env, napi_value callback, const double (&values)[N], bool& stop) {
  napi_value args[N], receiver, returned;
  for (std::size_t i = 0; i < N; ++i) {
    if (napi_create_double(env, values[i], &args[i]) != napi_ok) return napi_generic_failure;
  }
  if (napi_get_undefined(env, &receiver) != napi_ok) return napi_generic_failure;
  const napi_status status = napi_call_function(env, receiver, callback, N, args, &returned);
  if (status != napi_ok) return status;
  bool value = false;
  napi_valuetype type;
  stop = napi_typeof(env, returned, &type) == napi_ok && type == napi_boolean && napi_get_value_bool(env, returned, &value) == napi_ok && value;
  return napi_ok;
}

// onIteration(run, iteration, changed, centerShift).
napi_status call_iteration_callback(napi_env env, napi_value callback, const ekm::IterationReport& r, bool& stop) {
  const double values[4] = {static_cast<double>(r.run), static_cast<double>(r.iteration), static_cast<double>(r.changed), r.center_shift};
  return call_report_callback(env, callback, values, stop);
}

// onSeeding(run, done, total).
napi_status call_seeding_callback(napi_env env, napi_value callback, const ekm::SeedingReport& r, bool& stop) {
  const double values[3] = {static_cast<double>(r.run), static_cast<double>(r.done), static_cast<double>(r.total)};
  return call_report_callback(env, callback, values, stop);
}

// ---- Asynchronous fits ----

enum class MessageKind { iteration, seeding, done };

struct Message {
  MessageKind kind;
  ekm::IterationReport iteration;
  ekm::SeedingReport seeding;
};

class FitJob {
 public:
  Request request;
  std::atomic<bool> cancel{false};

  // JavaScript-thread state.
  napi_deferred deferred = nullptr;
  napi_ref callback = nullptr;          // onIteration
  napi_ref seeding_callback = nullptr;  // onSeeding
  napi_ref thrown = nullptr;  // { value }: what onIteration threw (a primitive cannot be referenced)
  std::vector<napi_ref> shared_inputs;
  std::vector<std::unique_ptr<double[]>> copies;  // the inputs that were on an ArrayBuffer
  std::optional<std::uint64_t> ticket;      // its place in the thread budget's queue

  // Filled by the fit thread before it posts `done`.
  RunResult result;

  void set_reporter(napi_threadsafe_function tsfn) { tsfn_ = tsfn; }

  // JavaScript thread: asks the fit to stop at its next iteration, seeding step or round; a fit still
  // waiting for threads leaves the queue and settles at once.
  void stop() {
    cancel.store(true);
    if (ticket && budget().withdraw(*ticket)) finish(RunResult{Status::aborted, {}, {}});
  }

  // The fit is over (or never started): nothing reads the inputs any more; settle the promise.
  void finish(RunResult outcome) {
    result = std::move(outcome);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      reading_ = false;
      reading_done_.notify_all();
    }
    // Let the copies go now, not when the garbage collector gets to the handle's cancel function:
    // V8 does not see their size.
    std::vector<std::unique_ptr<double[]>>().swap(copies);
    post(Message{MessageKind::done, {}, {}});
  }

  // Posts to the JavaScript thread, unless the environment has gone.
  void post(const Message& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (tsfn_ == nullptr) return;
    auto* copy = new Message(message);
    const napi_status status = napi_call_threadsafe_function(tsfn_, copy, napi_tsfn_nonblocking);
    if (status != napi_ok) delete copy;
    // Closing: the environment is shutting down and the function must not be used again.
    if (status == napi_closing) {
      tsfn_ = nullptr;
    } else if (message.kind == MessageKind::done) {
      napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
      tsfn_ = nullptr;
    }
  }

  // JavaScript thread, when the thread-safe function is finalized (after `done`, or because the
  // environment is shutting down): stop the fit and wait until it no longer reads the inputs, so
  // that the shared arrays can be let go and nothing is posted to a finalized function.
  void detach(napi_env env) {
    stop();
    std::unique_lock<std::mutex> lock(mutex_);
    reading_done_.wait(lock, [&] { return !reading_; });
    tsfn_ = nullptr;
    lock.unlock();
    for (napi_ref ref : shared_inputs) napi_delete_reference(env, ref);
    if (callback) napi_delete_reference(env, callback);
    if (seeding_callback) napi_delete_reference(env, seeding_callback);
    if (thrown) napi_delete_reference(env, thrown);
    shared_inputs.clear();
    callback = seeding_callback = thrown = nullptr;
  }

 private:
  std::mutex mutex_;
  std::condition_variable reading_done_;
  bool reading_ = true;
  napi_threadsafe_function tsfn_ = nullptr;
};

using JobHandle = std::shared_ptr<FitJob>;

// The fit thread, started once the budget grants its threads.
void run_job(const JobHandle& job, int threads) {
  RunResult result{Status::aborted, {}, {}};
  if (!job->cancel.load()) {
    ekm::Hooks hooks;
    if (job->callback != nullptr) {
      hooks.iteration = [&job](const ekm::IterationReport& report) {
        job->post(Message{MessageKind::iteration, report, {}});
        return false;
      };
    }
    if (job->seeding_callback != nullptr) {
      hooks.seeding = [&job](const ekm::SeedingReport& report) {
        job->post(Message{MessageKind::seeding, {}, report});
        return false;
      };
    }
    result = run_fit(job->request, threads, hooks, &job->cancel);
  }
  budget().release(threads);
  job->finish(std::move(result));
}

void start_job(const JobHandle& job, int threads) {
  try {
    std::thread([job, threads] { run_job(job, threads); }).detach();
  } catch (const std::exception&) {
    budget().release(threads);
    job->finish(RunResult{Status::failed, {}, "could not start a thread for the fit"});
  }
}

void deliver_progress(napi_env env, FitJob& job, const Message& message) {
  const napi_ref ref = message.kind == MessageKind::seeding ? job.seeding_callback : job.callback;
  if (job.cancel.load() || ref == nullptr) return;
  napi_value callback;
  if (napi_get_reference_value(env, ref, &callback) != napi_ok || callback == nullptr) return;
  bool stop = false;
  const napi_status status = message.kind == MessageKind::seeding ? call_seeding_callback(env, callback, message.seeding, stop)
                                                                  : call_iteration_callback(env, callback, message.iteration, stop);
  if (status == napi_ok) {
    if (stop) job.stop();
    return;
  }
  // It threw, or JavaScript can no longer run here (a terminating Worker): either ends the fit.
  job.stop();
  bool pending = false;
  napi_value exception, holder;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending && napi_get_and_clear_last_exception(env, &exception) == napi_ok &&
      job.thrown == nullptr && napi_create_object(env, &holder) == napi_ok && napi_set_named_property(env, holder, "value", exception) == napi_ok) {
    napi_create_reference(env, holder, 1, &job.thrown);
  }
}

void settle(napi_env env, FitJob& job) {
  napi_value thrown_holder, value = nullptr;
  if (job.thrown != nullptr && napi_get_reference_value(env, job.thrown, &thrown_holder) == napi_ok &&
      napi_get_named_property(env, thrown_holder, "value", &value) == napi_ok) {
    napi_reject_deferred(env, job.deferred, value);
    return;
  }
  if (job.result.status == Status::ok && (value = result_object(env, job.result.outcome)) != nullptr) {
    napi_resolve_deferred(env, job.deferred, value);
    return;
  }
  if (job.result.status == Status::ok) job.result = RunResult{Status::out_of_memory, {}, {}};
  if ((value = failure_error(env, job.result)) != nullptr) napi_reject_deferred(env, job.deferred, value);
}

void on_message(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<Message> message(static_cast<Message*>(data));
  // A null environment: the queue is emptied at shutdown and `context` may be gone already.
  if (env == nullptr) return;
  FitJob& job = **static_cast<JobHandle*>(context);
  if (message->kind == MessageKind::done) {
    settle(env, job);
    job.result = RunResult{};
  } else {
    deliver_progress(env, job, *message);
  }
}

void on_finalize(napi_env env, void* data, void*) {
  auto* job = static_cast<JobHandle*>(data);
  (*job)->detach(env);
  delete job;
}

// Keeps an input for the fit thread: a SharedArrayBuffer by reference, anything else by a copy.
void take_input(napi_env env, FitJob& job, FloatArray& array) {
  if (array.shared) {
    napi_ref ref;
    if (napi_create_reference(env, array.value, 1, &ref) != napi_ok) throw Napi::Error::New(env, "cannot keep the input alive");
    job.shared_inputs.push_back(ref);
    return;
  }
  try {
    // Left uninitialised: zeroing first would touch every page twice (measured: 1.4 times as long).
    std::unique_ptr<double[]> copy(new double[(array.bytes() + sizeof(double) - 1) / sizeof(double)]);
    if (array.bytes() > 0) std::memcpy(copy.get(), array.data, array.bytes());
    array.data = copy.get();
    job.copies.push_back(std::move(copy));
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env,
        "Not enough memory to copy the points for kmeans(): pass them on a SharedArrayBuffer, which is read in place, or use kmeansSync.");
  }
}

Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  auto job = std::make_shared<FitJob>();
  job->request = parse_request(info[0].As<Napi::Object>());
  take_input(env, *job, job->request.data);
  if (job->request.weights) take_input(env, *job, *job->request.weights);
  if (job->request.init_centers) take_input(env, *job, *job->request.init_centers);
  if (info[1].IsFunction()) NAPI_THROW_IF_FAILED(env, napi_create_reference(env, info[1], 1, &job->callback), Napi::Value());
  if (info[2].IsFunction()) NAPI_THROW_IF_FAILED(env, napi_create_reference(env, info[2], 1, &job->seeding_callback), Napi::Value());

  napi_value promise;
  NAPI_THROW_IF_FAILED(env, napi_create_promise(env, &job->deferred, &promise), Napi::Value());
  napi_threadsafe_function tsfn;
  auto* context = new JobHandle(job);
  const napi_status created = napi_create_threadsafe_function(
      env, nullptr, nullptr, Napi::String::New(env, "elkan-kmeans:fit"), 0, 1, context, on_finalize, context, on_message, &tsfn);
  if (created != napi_ok) {
    delete context;
    NAPI_THROW_IF_FAILED(env, created, Napi::Value());
  }
  job->set_reporter(tsfn);
  job->ticket = budget().request(wanted_threads(job->request), [job](int threads) { start_job(job, threads); });

  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", Napi::Value(env, promise));
  handle.Set("cancel", Napi::Function::New(env, [job](const Napi::CallbackInfo&) { job->stop(); }, "cancel"));
  return handle;
}

// ---- Synchronous fits and predict ----

// Budget threads held for the length of a synchronous call.
class HeldThreads {
 public:
  explicit HeldThreads(int wanted) : threads(budget().take(wanted)) {}
  ~HeldThreads() { budget().release(threads); }
  HeldThreads(const HeldThreads&) = delete;
  HeldThreads& operator=(const HeldThreads&) = delete;
  const int threads;
};

Napi::Value FitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  const Request request = parse_request(info[0].As<Napi::Object>());
  const HeldThreads held(wanted_threads(request));

  bool callback_failed = false;  // it threw (the exception is pending) or JavaScript cannot run
  bool detached = false;
  // After a callback returns: whether it threw, or left the arrays where the fit no longer finds them.
  const auto failed = [&](napi_status status) {
    if (status != napi_ok) return callback_failed = true;
    for (const FloatArray* array : request.arrays()) {
      if (!still_attached(env, *array)) return detached = true;
    }
    return false;
  };
  ekm::Hooks hooks;
  if (info[1].IsFunction()) {
    hooks.iteration = [&, callback = static_cast<napi_value>(info[1])](const ekm::IterationReport& report) {
      bool stop = false;
      return failed(call_iteration_callback(env, callback, report, stop)) || stop;
    };
  }
  if (info[2].IsFunction()) {
    hooks.seeding = [&, callback = static_cast<napi_value>(info[2])](const ekm::SeedingReport& report) {
      bool stop = false;
      return failed(call_seeding_callback(env, callback, report, stop)) || stop;
    };
  }
  const RunResult run = run_fit(request, held.threads, hooks, nullptr);
  if (callback_failed) return Napi::Value();
  if (detached) throw Napi::TypeError::New(env, DETACHED_MESSAGE);
  napi_value value = run.status == Status::ok ? result_object(env, run.outcome) : failure_error(env, run);
  if (value == nullptr) throw Napi::Error::New(env, "could not create the result");
  if (run.status != Status::ok) throw Napi::Error(env, value);
  return Napi::Value(env, value);
}

// The arguments of predict and transform, (data, n, d, centers, k, threads): centres are always
// float64, so float32 points are compared with the centroids as given, not rounded to float32.
struct PointsAndCenters {
  FloatArray data;
  std::size_t n;
  std::size_t d;
  const double* centers;
  std::size_t k;
  int threads;
};

PointsAndCenters points_and_centers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  for (int i : {1, 2, 4, 5}) {
    if (!info[i].IsNumber() || !(info[i].As<Napi::Number>().DoubleValue() >= 1)) throw Napi::RangeError::New(env, "n, d, k and threads must be positive");
  }
  const std::size_t n = static_cast<std::size_t>(info[1].As<Napi::Number>().DoubleValue());
  const std::size_t d = static_cast<std::size_t>(info[2].As<Napi::Number>().DoubleValue());
  const std::size_t k = static_cast<std::size_t>(info[4].As<Napi::Number>().DoubleValue());
  const int threads = static_cast<int>(std::min(info[5].As<Napi::Number>().DoubleValue(), 1048576.0));
  const FloatArray data = float_array(info[0], "data");
  with_shape(env, data, data.dtype, checked_product(env, n, d), "data");
  const FloatArray centers = float_array(info[3], DType::f64, checked_product(env, k, d), "centers");
  return {data, n, d, static_cast<const double*>(centers.data), k, std::min(threads, budget().capacity())};
}

Napi::Value Predict(const Napi::CallbackInfo& info) {
  const PointsAndCenters a = points_and_centers(info);
  Napi::Int32Array labels = Napi::Int32Array::New(info.Env(), a.n);
  const HeldThreads held(ekm::effective_threads(a.threads, a.n));
  if (a.data.dtype == DType::f32) {
    ekm::kernels().predict_float(static_cast<const float*>(a.data.data), a.n, a.d, a.centers, a.k, held.threads, labels.Data());
  } else {
    ekm::kernels().predict_double(static_cast<const double*>(a.data.data), a.n, a.d, a.centers, a.k, held.threads, labels.Data());
  }
  return labels;
}

// transform(data, n, d, centers, k, threads): n × k distances, row after row.
Napi::Value Transform(const Napi::CallbackInfo& info) {
  const PointsAndCenters a = points_and_centers(info);
  Napi::Float64Array distances = Napi::Float64Array::New(info.Env(), checked_product(info.Env(), a.n, a.k));
  const HeldThreads held(ekm::effective_threads(a.threads, a.n));
  if (a.data.dtype == DType::f32) {
    ekm::kernels().transform_float(static_cast<const float*>(a.data.data), a.n, a.d, a.centers, a.k, held.threads, distances.Data());
  } else {
    ekm::kernels().transform_double(static_cast<const double*>(a.data.data), a.n, a.d, a.centers, a.k, held.threads, distances.Data());
  }
  return distances;
}

// A positive integer argument that a double holds exactly.
std::size_t positive_count(const Napi::CallbackInfo& info, int index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber() || !(value.As<Napi::Number>().DoubleValue() >= 1) || value.As<Napi::Number>().DoubleValue() > 9007199254740991.0) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be a positive integer");
  }
  return static_cast<std::size_t>(value.As<Napi::Number>().DoubleValue());
}

// A random generator's four words, updated in place.
std::uint32_t* generator_words(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || value.As<Napi::TypedArray>().ElementLength() != 4) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Uint32Array of 4 words");
  }
  return value.As<Napi::Uint32Array>().Data();
}

// The model a mini-batch step updates and how, the arguments (centers, counts, k, reassign,
// reassignmentRatio, rngState, threads) from `first` on; the threads are held from the budget.
struct StepModel {
  double* centers;
  double* counts;
  std::size_t k;
  bool reassign;
  double reassignment_ratio;
  std::uint32_t* rng_state;
  int threads;
};

StepModel step_model(const Napi::CallbackInfo& info, int first, std::size_t d) {
  Napi::Env env = info.Env();
  const std::size_t k = positive_count(info, first + 2, "k");
  const int threads = static_cast<int>(std::min(static_cast<double>(positive_count(info, first + 6, "threads")), 1048576.0));
  if (!info[first + 3].IsBoolean() || !info[first + 4].IsNumber()) throw Napi::TypeError::New(env, "reassign must be a boolean and reassignmentRatio a number");
  const FloatArray centers = float_array(info[first], DType::f64, checked_product(env, k, d), "centers");
  const FloatArray counts = float_array(info[first + 1], DType::f64, k, "counts");
  return {static_cast<double*>(const_cast<void*>(centers.data)),
          static_cast<double*>(const_cast<void*>(counts.data)),
          k,
          info[first + 3].As<Napi::Boolean>().Value(),
          info[first + 4].As<Napi::Number>().DoubleValue(),
          generator_words(info[first + 5], "rngState"),
          std::min(threads, budget().capacity())};
}

// Weights (float64, one per row) or null for all 1.
const double* optional_weights(const Napi::Value& value, std::size_t rows) {
  if (value.IsNull()) return nullptr;
  return static_cast<const double*>(float_array(value, DType::f64, rows, "weights").data);
}

// What `step` (a mini-batch kernel's call) reports, as { inertia, centerShift, reassigned }. The
// core allocates the batch's tables, and an allocation that fails is a RangeError, not a crash.
template <class Step>
Napi::Object step_result(Napi::Env env, Step step) {
  ekm::MiniBatchOutcome outcome;
  try {
    outcome = step();
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env, "Not enough memory for a mini-batch step of this size: reduce batchSize.");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("inertia", outcome.inertia);
  result.Set("centerShift", outcome.center_shift);
  result.Set("reassigned", static_cast<double>(outcome.reassigned));
  return result;
}

// miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState,
// threads): one step of mini-batch k-means on the calling thread. No JavaScript runs while it
// reads the arrays in place, so a batch may be any fresh typed array; centres (float64, k × d),
// counts (float64, k) and the generator's four words (a Uint32Array) are updated in place.
Napi::Value MiniBatchStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t m = positive_count(info, 1, "m");
  const std::size_t d = positive_count(info, 2, "d");
  const FloatArray batch = float_array(info[0], "batch");
  with_shape(env, batch, batch.dtype, checked_product(env, m, d), "batch");
  const double* weights = optional_weights(info[3], m);
  const StepModel model = step_model(info, 4, d);
  const HeldThreads held(ekm::effective_threads(model.threads, m));
  const ekm::Kernels& kernels = ekm::kernels();
  return step_result(env, [&] {
    return batch.dtype == DType::f32 ? kernels.mini_batch_step_float(static_cast<const float*>(batch.data), m, d, weights, model.centers, model.counts, model.k,
                                                                     model.reassign, model.reassignment_ratio, model.rng_state, held.threads)
                                     : kernels.mini_batch_step_double(static_cast<const double*>(batch.data), m, d, weights, model.centers, model.counts,
                                                                      model.k, model.reassign, model.reassignment_ratio, model.rng_state, held.threads);
  });
}

// sampledMiniBatchStep(points, n, d, weights, m, samplerState, centers, counts, k, reassign,
// reassignmentRatio, rngState, threads): the one-call fit's step, drawing its batch of m rows of
// the n points with the sampler's four words and reading the points in place. The core draws every
// index below n, so the points' length checked here is all that keeps its reads inside them.
Napi::Value SampledMiniBatchStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t n = positive_count(info, 1, "n");
  const std::size_t d = positive_count(info, 2, "d");
  const std::size_t m = positive_count(info, 4, "m");
  checked_product(env, m, d);  // the batch the core gathers
  const FloatArray points = float_array(info[0], "points");
  with_shape(env, points, points.dtype, checked_product(env, n, d), "points");
  const double* weights = optional_weights(info[3], n);
  std::uint32_t* sampler_state = generator_words(info[5], "samplerState");
  const StepModel model = step_model(info, 6, d);
  const HeldThreads held(ekm::effective_threads(model.threads, m));
  const ekm::Kernels& kernels = ekm::kernels();
  return step_result(env, [&] {
    return points.dtype == DType::f32
               ? kernels.sampled_mini_batch_step_float(static_cast<const float*>(points.data), n, d, weights, m, sampler_state, model.centers, model.counts,
                                                       model.k, model.reassign, model.reassignment_ratio, model.rng_state, held.threads)
               : kernels.sampled_mini_batch_step_double(static_cast<const double*>(points.data), n, d, weights, m, sampler_state, model.centers, model.counts,
                                                        model.k, model.reassign, model.reassignment_ratio, model.rng_state, held.threads);
  });
}

// inertiaOfLabels(data, n, d, weights, centers, k, labels, threads): Σ w_i ‖x_i − c_labels[i]‖² in
// the blocked order. Every label is checked below k here, since the core reads the centre it names.
Napi::Value InertiaOfLabels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t n = positive_count(info, 1, "n");
  const std::size_t d = positive_count(info, 2, "d");
  const std::size_t k = positive_count(info, 5, "k");
  const int threads = static_cast<int>(std::min(static_cast<double>(positive_count(info, 7, "threads")), 1048576.0));
  const FloatArray data = float_array(info[0], "data");
  with_shape(env, data, data.dtype, checked_product(env, n, d), "data");
  const double* weights = optional_weights(info[3], n);
  const auto* centers = static_cast<const double*>(float_array(info[4], DType::f64, checked_product(env, k, d), "centers").data);
  if (!info[6].IsTypedArray() || info[6].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array || info[6].As<Napi::TypedArray>().ElementLength() != n) {
    throw Napi::TypeError::New(env, "labels must be an Int32Array of n labels");
  }
  const std::int32_t* labels = info[6].As<Napi::Int32Array>().Data();
  // Unsigned, a negative label compares above k as well.
  for (std::size_t i = 0; i < n; ++i) {
    if (static_cast<std::uint32_t>(labels[i]) >= k) throw Napi::RangeError::New(env, "labels must lie in [0, k)");
  }
  const HeldThreads held(ekm::effective_threads(std::min(threads, budget().capacity()), n));
  const ekm::Kernels& kernels = ekm::kernels();
  const double inertia = data.dtype == DType::f32
                             ? kernels.inertia_of_labels_float(static_cast<const float*>(data.data), n, d, weights, centers, labels, held.threads)
                             : kernels.inertia_of_labels_double(static_cast<const double*>(data.data), n, d, weights, centers, labels, held.threads);
  return Napi::Number::New(env, inertia);
}

// lib/minibatch.ts throws this first; the check here keeps the reads safe whoever calls.
const char* const MINI_BATCH_DETACHED_MESSAGE =
    "The points were detached or resized while the mini-batch fit read them, by onProgress: leave their ArrayBuffer alone "
    "until miniBatchKMeansSync returns, or use miniBatchKMeans(), which works on its own copy.";

// seedCenters(data, n, d, k, weights, init, rngState, centers, onSeeding, threads): the mini-batch
// model's initial centres, drawn from the points by init ('k-means++', 'k-means||' or 'random')
// with the generator's four words (advanced in place) into centers (k × d, the points' element
// type). onSeeding(run, done, total), or null, runs between steps; what it throws ends the call
// with that exception.
Napi::Value SeedCenters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t n = positive_count(info, 1, "n");
  const std::size_t d = positive_count(info, 2, "d");
  const std::size_t k = positive_count(info, 3, "k");
  if (k > n) throw Napi::RangeError::New(env, "k must not exceed n");
  const int threads = static_cast<int>(std::min(static_cast<double>(positive_count(info, 9, "threads")), 1048576.0));
  const FloatArray data = float_array(info[0], "data");
  with_shape(env, data, data.dtype, checked_product(env, n, d), "data");
  std::vector<FloatArray> arrays{data};
  if (!info[4].IsNull()) arrays.push_back(float_array(info[4], DType::f64, n, "weights"));
  if (!info[5].IsString()) throw Napi::TypeError::New(env, "init must be a string");
  const ekm::Init init = drawn_init(info[5]);
  std::uint32_t* rng_state = generator_words(info[6], "rngState");
  const FloatArray centers = float_array(info[7], data.dtype, checked_product(env, k, d), "centers");
  arrays.push_back(centers);
  const double* weights = arrays.size() == 3 ? static_cast<const double*>(arrays[1].data) : nullptr;

  bool callback_failed = false;  // it threw (the exception is pending) or JavaScript cannot run
  bool detached = false;
  ekm::SeedingHook hook;
  if (info[8].IsFunction()) {
    hook = [&, callback = static_cast<napi_value>(info[8])](const ekm::SeedingReport& report) {
      bool stop = false;
      if (call_seeding_callback(env, callback, report, stop) != napi_ok) return callback_failed = true;
      for (const FloatArray& array : arrays) {
        if (!still_attached(env, array)) return detached = true;
      }
      return stop;
    };
  }
  const HeldThreads held(ekm::effective_threads(std::min(threads, budget().capacity()), n));
  const ekm::Kernels& kernels = ekm::kernels();
  try {
    if (data.dtype == DType::f32) {
      const ekm::Problem<float> p{static_cast<const float*>(data.data), n, d, k, weights, held.threads};
      kernels.seed_centers_float(p, init, rng_state, static_cast<float*>(const_cast<void*>(centers.data)), hook);
    } else {
      const ekm::Problem<double> p{static_cast<const double*>(data.data), n, d, k, weights, held.threads};
      kernels.seed_centers_double(p, init, rng_state, static_cast<double*>(const_cast<void*>(centers.data)), hook);
    }
  } catch (const ekm::Cancelled&) {
    if (callback_failed) return Napi::Value();
    if (detached) throw Napi::TypeError::New(env, MINI_BATCH_DETACHED_MESSAGE);
    throw Napi::Error::New(env, ABORT_MESSAGE);
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env, "Not enough memory to seed the mini-batch model: reduce k or initSize.");
  }
  return env.Undefined();
}

Napi::Value BudgetState(const Napi::CallbackInfo& info) {
  const ekm::ThreadBudget::State state = budget().state();
  Napi::Object object = Napi::Object::New(info.Env());
  object.Set("capacity", state.capacity);
  object.Set("available", state.available);
  object.Set("waiting", static_cast<double>(state.waiting));
  return object;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("fit", Napi::Function::New(env, Fit, "fit"));
  exports.Set("fitSync", Napi::Function::New(env, FitSync, "fitSync"));
  exports.Set("predict", Napi::Function::New(env, Predict, "predict"));
  exports.Set("transform", Napi::Function::New(env, Transform, "transform"));
  exports.Set("miniBatchStep", Napi::Function::New(env, MiniBatchStep, "miniBatchStep"));
  exports.Set("seedCenters", Napi::Function::New(env, SeedCenters, "seedCenters"));
  exports.Set("inertiaOfLabels", Napi::Function::New(env, InertiaOfLabels, "inertiaOfLabels"));
  exports.Set("sampledMiniBatchStep", Napi::Function::New(env, SampledMiniBatchStep, "sampledMiniBatchStep"));
  exports.Set("threadBudget", Napi::Function::New(env, BudgetState, "threadBudget"));
  exports.Set("openmp", Napi::Boolean::New(env, ekm::has_openmp()));
  exports.Set("maxThreads", Napi::Number::New(env, budget().capacity()));
  exports.Set("isa", Napi::String::New(env, ekm::isa_name()));
  return exports;
}

}  // namespace

NODE_API_MODULE(elkan_kmeans, Init)
