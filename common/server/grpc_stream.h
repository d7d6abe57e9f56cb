#ifndef LNOB_COMMON_SERVER_GRPC_STREAM_H_
#define LNOB_COMMON_SERVER_GRPC_STREAM_H_

// gRPC-backed MessageReader/MessageWriter, used by the generated adapters only.

#include <chrono>

#include "common/server/stream.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/sync_stream.h"

namespace lnob::server {

template <typename T>
class GrpcMessageReader final : public MessageReader<T> {
 public:
  explicit GrpcMessageReader(grpc::ServerReaderInterface<T>* reader) : reader_(reader) {}
  bool Read(T* msg) override { return reader_->Read(msg); }

 private:
  grpc::ServerReaderInterface<T>* reader_;
};

template <typename T>
class GrpcMessageWriter final : public MessageWriter<T> {
 public:
  GrpcMessageWriter(grpc::ServerContext* ctx, grpc::ServerWriterInterface<T>* writer)
      : ctx_(ctx), writer_(writer) {}
  bool Write(const T& msg) override { return !ctx_->IsCancelled() && writer_->Write(msg); }
  bool Cancelled() const override {
    return ctx_->IsCancelled() || std::chrono::system_clock::now() >= ctx_->deadline();
  }

 private:
  grpc::ServerContext* ctx_;
  grpc::ServerWriterInterface<T>* writer_;
};

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_GRPC_STREAM_H_
