#ifndef LNOB_COMMON_SERVER_STREAM_H_
#define LNOB_COMMON_SERVER_STREAM_H_

// The two ends of a streaming call as domain code sees them, free of gRPC. The generated
// adapters (protoc-gen-lnob) pass gRPC-backed ones; tests pass the in-memory ones below.

#include <functional>
#include <utility>
#include <vector>

namespace lnob::server {

// Messages a client streams in: Read() yields the next one, false at the end of the stream.
template <typename T>
class MessageReader {
 public:
  virtual ~MessageReader() = default;
  virtual bool Read(T* msg) = 0;
};

// Messages streamed out to the client. Write() is false once the client is gone;
// Cancelled() turns true when the client cancelled or the call's deadline passed, so that
// long-lived streams (change feeds) know when to stop waiting for more.
template <typename T>
class MessageWriter {
 public:
  virtual ~MessageWriter() = default;
  virtual bool Write(const T& msg) = 0;
  virtual bool Cancelled() const = 0;
};

// A reader over a function (in-process callers: tools, tests).
template <typename T>
class FunctionReader final : public MessageReader<T> {
 public:
  explicit FunctionReader(std::function<bool(T*)> next) : next_(std::move(next)) {}
  bool Read(T* msg) override { return next_(msg); }

 private:
  std::function<bool(T*)> next_;
};

// A reader over messages held in memory.
template <typename T>
class VectorReader final : public MessageReader<T> {
 public:
  explicit VectorReader(std::vector<T> msgs) : msgs_(std::move(msgs)) {}
  bool Read(T* msg) override {
    if (next_ >= msgs_.size()) return false;
    *msg = msgs_[next_++];
    return true;
  }

 private:
  std::vector<T> msgs_;
  size_t next_ = 0;
};

// A writer over two functions: sink(msg) -> keep going; cancelled() -> stop waiting.
template <typename T>
class FunctionWriter final : public MessageWriter<T> {
 public:
  explicit FunctionWriter(std::function<bool(const T&)> sink,
                          std::function<bool()> cancelled = [] { return false; })
      : sink_(std::move(sink)), cancelled_(std::move(cancelled)) {}
  bool Write(const T& msg) override { return sink_(msg); }
  bool Cancelled() const override { return cancelled_(); }

 private:
  std::function<bool(const T&)> sink_;
  std::function<bool()> cancelled_;
};

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_STREAM_H_
