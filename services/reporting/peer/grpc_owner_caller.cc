#include "services/reporting/peer/grpc_owner_caller.h"

#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/api/proto_json.h"
#include "common/peer/peer.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace lnob::reporting {
namespace {

namespace pb = ::google::protobuf;

class GrpcOwnerCaller final : public OwnerCaller {
 public:
  explicit GrpcOwnerCaller(std::map<std::string, peer::PeerConfig> owners) : owners_(std::move(owners)) {
    for (const auto& [name, config] : owners_) {
      stubs_[name] = std::make_unique<grpc::GenericStub>(peer::NewPeerChannel(config.address));
    }
  }

  absl::StatusOr<OwnerAnswer> Call(const server::Call& call, const std::string& owner, const std::string& method,
                                   const std::string& request_json) override {
    auto stub = stubs_.find(owner);
    if (stub == stubs_.end()) return absl::InternalError(absl::StrCat("no address for the owner ", owner));
    // "pkg.Service/Method" -> the descriptors of its request and answer.
    const pb::MethodDescriptor* m =
        pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrReplaceAll(method, {{"/", "."}}));
    if (m == nullptr) return absl::InternalError(absl::StrCat("no such method compiled in: ", method));
    const pb::Message* req_proto = pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
    const pb::Message* resp_proto = pb::MessageFactory::generated_factory()->GetPrototype(m->output_type());
    std::unique_ptr<pb::Message> req(req_proto->New()), resp(resp_proto->New());
    if (auto st = pb::util::JsonStringToMessage(request_json, req.get()); !st.ok()) {
      return absl::InternalError(absl::StrCat("request of ", method, ": ", st.ToString()));
    }
    std::string bytes = req->SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer up(&slice, 1), down;
    grpc::ClientContext ctx;
    peer::AsCaller(call, owners_.at(owner).timeout, &ctx);
    // The generic stub answers through a callback: wait for it.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub->second->UnaryCall(&ctx, absl::StrCat("/", method), grpc::StubOptions(), &up, &down,
                            [&](grpc::Status s) {
                              std::lock_guard<std::mutex> lock(mu);
                              status = std::move(s);
                              done = true;
                              cv.notify_all();
                            });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    if (!status.ok()) return peer::PeerStatus(status, owner);
    std::vector<grpc::Slice> slices;
    if (!down.Dump(&slices).ok()) return absl::InternalError(absl::StrCat(owner, " sent an unreadable answer"));
    std::string answer;
    for (const auto& s : slices) answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
    if (!resp->ParseFromString(answer)) return absl::InternalError(absl::StrCat(owner, " sent an unreadable answer"));
    OwnerAnswer out;
    out.read_time = absl::Now();
    out.response_json = api::ProtoJsonAllFields(*resp);
    // The owner's change-feed position, when its answer carries one.
    const pb::FieldDescriptor* cursor = resp->GetDescriptor()->FindFieldByName("cursor");
    if (cursor != nullptr && cursor->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64 && !cursor->is_repeated()) {
      out.cursor = resp->GetReflection()->GetInt64(*resp, cursor);
    }
    return out;
  }

 private:
  std::map<std::string, peer::PeerConfig> owners_;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs_;
};

}  // namespace

std::unique_ptr<OwnerCaller> NewGrpcOwnerCaller(std::map<std::string, peer::PeerConfig> owners) {
  return std::make_unique<GrpcOwnerCaller>(std::move(owners));
}

}  // namespace lnob::reporting
