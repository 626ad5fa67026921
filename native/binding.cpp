// Node-API binding: converts arguments and results, and runs async fits on a libuv worker.
// Validation happens in lib/validate.ts; the checks here only keep a misuse of this internal
// interface from crashing the process. The algorithms live in the Node-free headers beside it.
#include <napi.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "dispatch.hpp"
#include "parallel.hpp"

namespace {

enum class DType { f32, f64 };

// A fit request read from JS, pointing into the caller's typed arrays (zero copy).
struct Request {
  DType dtype = DType::f64;
  const void* data = nullptr;
  std::size_t n = 0, d = 0, k = 0;
  const double* weights = nullptr;
  const void* init_centers = nullptr;
  ekm::Options options;
};

// Holds the request's arrays alive while a worker thread reads them.
using KeepAlive = std::vector<Napi::Reference<Napi::Value>>;

DType float_type(const Napi::Value& value, const char* name) {
  if (value.IsTypedArray()) {
    const napi_typedarray_type type = value.As<Napi::TypedArray>().TypedArrayType();
    if (type == napi_float32_array) return DType::f32;
    if (type == napi_float64_array) return DType::f64;
  }
  throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array or Float64Array");
}

const void* float_data(const Napi::Value& value, DType dtype, std::size_t length, const char* name) {
  if (float_type(value, name) != dtype) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must have the element type of the data");
  }
  const Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ElementLength() != length) {
    throw Napi::RangeError::New(value.Env(), std::string(name) + " has the wrong length");
  }
  return static_cast<const char*>(array.ArrayBuffer().Data()) + array.ByteOffset();
}

std::size_t size_field(const Napi::Object& object, const char* key) {
  const Napi::Value value = object.Get(key);
  if (!value.IsNumber() || value.As<Napi::Number>().DoubleValue() < 1) {
    throw Napi::RangeError::New(object.Env(), std::string(key) + " must be a positive number");
  }
  return static_cast<std::size_t>(value.As<Napi::Number>().DoubleValue());
}

Request parse_request(const Napi::Object& object, KeepAlive& keep) {
  const Napi::Env env = object.Env();
  Request r;
  r.n = size_field(object, "n");
  r.d = size_field(object, "d");
  r.k = size_field(object, "k");
  if (r.k > r.n) throw Napi::RangeError::New(env, "k must not exceed n");

  const Napi::Value data = object.Get("data");
  r.dtype = float_type(data, "data");
  r.data = float_data(data, r.dtype, r.n * r.d, "data");
  keep.push_back(Napi::Persistent(data));

  const Napi::Value weights = object.Get("weights");
  if (!weights.IsNull() && !weights.IsUndefined()) {
    r.weights = static_cast<const double*>(float_data(weights, DType::f64, r.n, "weights"));
    keep.push_back(Napi::Persistent(weights));
  }

  const Napi::Value init = object.Get("init");
  if (init.IsString()) {
    const std::string method = init.As<Napi::String>();
    if (method == "k-means++") r.options.init = ekm::Init::kmeans_plus_plus;
    else if (method == "random") r.options.init = ekm::Init::random;
    else throw Napi::RangeError::New(env, "init must be 'k-means++', 'random' or centres");
  } else {
    r.options.init = ekm::Init::explicit_centers;
    r.init_centers = float_data(init, r.dtype, r.k * r.d, "init");
    keep.push_back(Napi::Persistent(init));
  }

  r.options.n_init = size_field(object, "nInit");
  r.options.max_iterations = size_field(object, "maxIterations");
  r.options.tolerance = object.Get("tolerance").As<Napi::Number>().DoubleValue();
  r.options.seed = object.Get("seed").As<Napi::Number>().Uint32Value();
  r.options.threads = static_cast<int>(size_field(object, "threads"));
  const std::string algorithm = object.Get("algorithm").As<Napi::String>();
  if (algorithm == "elkan") r.options.algorithm = ekm::Algorithm::elkan;
  else if (algorithm == "hamerly") r.options.algorithm = ekm::Algorithm::hamerly;
  else if (algorithm == "lloyd") r.options.algorithm = ekm::Algorithm::lloyd;
  else throw Napi::RangeError::New(env, "algorithm must be 'elkan', 'hamerly' or 'lloyd'");
  return r;
}

// The result of either element type, kept until it is converted on the main thread.
struct Outcome {
  std::optional<ekm::FitResult<float>> f32;
  std::optional<ekm::FitResult<double>> f64;
};

Outcome run_fit(Request r, const ekm::IterationHook& hook, const std::atomic<bool>* cancel) {
  r.options.cancel = cancel;
  Outcome outcome;
  if (r.dtype == DType::f32) {
    const ekm::Problem<float> p{static_cast<const float*>(r.data), r.n, r.d, r.k, r.weights, 1};
    outcome.f32 = ekm::kernels().fit_float(p, r.options, static_cast<const float*>(r.init_centers), hook);
  } else {
    const ekm::Problem<double> p{static_cast<const double*>(r.data), r.n, r.d, r.k, r.weights, 1};
    outcome.f64 = ekm::kernels().fit_double(p, r.options, static_cast<const double*>(r.init_centers), hook);
  }
  return outcome;
}

template <class T>
Napi::Object result_object(Napi::Env env, const ekm::FitResult<T>& result) {
  Napi::Int32Array labels = Napi::Int32Array::New(env, result.labels.size());
  std::memcpy(labels.Data(), result.labels.data(), result.labels.size() * sizeof(std::int32_t));
  Napi::TypedArrayOf<T> centroids = Napi::TypedArrayOf<T>::New(env, result.centroids.size());
  std::memcpy(centroids.Data(), result.centroids.data(), result.centroids.size() * sizeof(T));
  Napi::Object object = Napi::Object::New(env);
  object.Set("labels", labels);
  object.Set("centroids", centroids);
  object.Set("inertia", result.inertia);
  object.Set("iterations", static_cast<double>(result.iterations));
  object.Set("converged", result.converged);
  object.Set("threads", result.threads);
  return object;
}

Napi::Object result_object(Napi::Env env, const Outcome& outcome) {
  return outcome.f32 ? result_object(env, *outcome.f32) : result_object(env, *outcome.f64);
}

Napi::Value abort_error(Napi::Env env) {
  Napi::Error error = Napi::Error::New(env, "The k-means fit was aborted.");
  error.Set("code", "ABORT_ERR");
  return error.Value();
}

Napi::Value memory_error(Napi::Env env) {
  return Napi::RangeError::New(env,
      "Not enough memory for this fit: reduce n or k, use algorithm: 'lloyd' (no n × k bounds), or pass float32 data.").Value();
}

std::vector<napi_value> report_arguments(Napi::Env env, const ekm::IterationReport& r) {
  return {Napi::Number::New(env, static_cast<double>(r.run)), Napi::Number::New(env, static_cast<double>(r.iteration)),
          Napi::Number::New(env, static_cast<double>(r.changed)), Napi::Number::New(env, r.center_shift)};
}

class FitWorker : public Napi::AsyncProgressQueueWorker<ekm::IterationReport> {
 public:
  FitWorker(Napi::Env env, Request request, KeepAlive keep, Napi::Value callback, std::shared_ptr<std::atomic<bool>> cancel)
      : Napi::AsyncProgressQueueWorker<ekm::IterationReport>(env, "elkan-kmeans:fit"),
        deferred_(Napi::Promise::Deferred::New(env)),
        request_(request),
        keep_(std::move(keep)),
        cancel_(std::move(cancel)) {
    if (callback.IsFunction()) callback_ = Napi::Persistent(callback.As<Napi::Function>());
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const bool report = !callback_.IsEmpty();
    try {
      outcome_ = run_fit(request_, [&](const ekm::IterationReport& r) {
        if (report) progress.Send(&r, 1);
        return false;
      }, cancel_.get());
    } catch (const ekm::Cancelled&) {
      aborted_ = true;
      SetError("aborted");
    } catch (const std::bad_alloc&) {
      out_of_memory_ = true;
      SetError("out of memory");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnProgress(const ekm::IterationReport* reports, std::size_t count) override {
    Napi::Env env = Env();
    for (std::size_t i = 0; i < count && callback_error_.IsEmpty(); ++i) {
      try {
        const Napi::Value stop = callback_.Call(report_arguments(env, reports[i]));
        if (stop.IsBoolean() && stop.As<Napi::Boolean>().Value()) cancel_->store(true);
      } catch (const Napi::Error& error) {
        // A throwing onIteration ends the fit, and the promise rejects with what it threw.
        callback_error_ = Napi::Persistent(static_cast<Napi::Value>(error.Value()));
        cancel_->store(true);
      }
    }
  }

  void OnOK() override {
    if (!callback_error_.IsEmpty()) {
      deferred_.Reject(callback_error_.Value());
      return;
    }
    deferred_.Resolve(result_object(Env(), outcome_));
  }

  void OnError(const Napi::Error& error) override {
    Napi::Env env = Env();
    if (!callback_error_.IsEmpty()) deferred_.Reject(callback_error_.Value());
    else if (aborted_) deferred_.Reject(abort_error(env));
    else if (out_of_memory_) deferred_.Reject(memory_error(env));
    else deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Request request_;
  KeepAlive keep_;
  Napi::FunctionReference callback_;
  Napi::Reference<Napi::Value> callback_error_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  Outcome outcome_;
  bool aborted_ = false;
  bool out_of_memory_ = false;
};

Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  KeepAlive keep;
  const Request request = parse_request(info[0].As<Napi::Object>(), keep);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto* worker = new FitWorker(env, request, std::move(keep), info[1], cancel);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->promise());
  handle.Set("cancel", Napi::Function::New(env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
  worker->Queue();
  return handle;
}

Napi::Value FitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  KeepAlive keep;
  const Request request = parse_request(info[0].As<Napi::Object>(), keep);
  ekm::IterationHook hook;
  if (info[1].IsFunction()) {
    const Napi::Function callback = info[1].As<Napi::Function>();
    hook = [env, callback](const ekm::IterationReport& r) {
      const Napi::Value stop = callback.Call(report_arguments(env, r));
      return stop.IsBoolean() && stop.As<Napi::Boolean>().Value();
    };
  }
  try {
    return result_object(env, run_fit(request, hook, nullptr));
  } catch (const ekm::Cancelled&) {
    throw Napi::Error(env, abort_error(env));
  } catch (const std::bad_alloc&) {
    throw Napi::Error(env, memory_error(env));
  }
}

Napi::Value Predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::size_t n = static_cast<std::size_t>(info[1].As<Napi::Number>().DoubleValue());
  const std::size_t d = static_cast<std::size_t>(info[2].As<Napi::Number>().DoubleValue());
  const std::size_t k = static_cast<std::size_t>(info[4].As<Napi::Number>().DoubleValue());
  const int threads = info[5].As<Napi::Number>().Int32Value();
  if (n < 1 || d < 1 || k < 1) throw Napi::RangeError::New(env, "n, d and k must be positive");
  const DType dtype = float_type(info[0], "data");
  const void* data = float_data(info[0], dtype, n * d, "data");
  const void* centers = float_data(info[3], dtype, k * d, "centers");
  Napi::Int32Array labels = Napi::Int32Array::New(env, n);
  if (dtype == DType::f32) {
    ekm::kernels().predict_float(static_cast<const float*>(data), n, d, static_cast<const float*>(centers), k, threads, labels.Data());
  } else {
    ekm::kernels().predict_double(static_cast<const double*>(data), n, d, static_cast<const double*>(centers), k, threads, labels.Data());
  }
  return labels;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("fit", Napi::Function::New(env, Fit, "fit"));
  exports.Set("fitSync", Napi::Function::New(env, FitSync, "fitSync"));
  exports.Set("predict", Napi::Function::New(env, Predict, "predict"));
  exports.Set("openmp", Napi::Boolean::New(env, ekm::has_openmp()));
  exports.Set("maxThreads", Napi::Number::New(env, ekm::max_threads()));
  exports.Set("isa", Napi::String::New(env, ekm::kernels().isa));
  return exports;
}

}  // namespace

NODE_API_MODULE(elkan_kmeans, Init)
