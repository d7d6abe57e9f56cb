// Fail-closed registration: a service reaches callers only with an access policy on every
// method, and calls to anything the authorizer does not know are refused.

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/auth/policy.h"
#include "common/server/runner.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/impl/service_type.h"
#include "gtest/gtest.h"
#include "tests/support/tokens.h"
#include "lnob/registry/v1/reference_data.pb.h"

namespace lnob::server {
namespace {

// A service whose only method declares no (lnob.common.v1.policy): what a proto author
// who forgot the option, or a hand-written registration, would produce.
const google::protobuf::ServiceDescriptor* BrokenService() {
  static google::protobuf::DescriptorPool* pool = [] {
    auto* p = new google::protobuf::DescriptorPool();
    google::protobuf::FileDescriptorProto file;
    file.set_name("lnob/test/v1/broken.proto");
    file.set_package("lnob.test.v1");
    file.set_syntax("proto3");
    file.add_message_type()->set_name("Req");
    auto* svc = file.add_service();
    svc->set_name("Broken");
    auto* m = svc->add_method();
    m->set_name("Do");
    m->set_input_type(".lnob.test.v1.Req");
    m->set_output_type(".lnob.test.v1.Req");
    EXPECT_NE(p->BuildFile(file), nullptr);
    return p;
  }();
  return pool->FindServiceByName("lnob.test.v1.Broken");
}

const google::protobuf::ServiceDescriptor* ReferenceService() {
  return lnob::registry::v1::AdminUnit::descriptor()->file()->FindServiceByName("ReferenceDataService");
}

class RegistrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(auth::GenerateRsaKeyPair(&priv_, &pub_).ok()); }
  void SetUp() override {
    const char* tmp = std::getenv("LNOB_TEST_TMP");
    key_file_ = absl::StrCat(tmp ? tmp : "/tmp", "/registration-test-", getpid(), ".pem");
    std::ofstream(key_file_) << pub_;
  }
  void TearDown() override { std::remove(key_file_.c_str()); }
  auth::Authorizer MakeAuthorizer() {
    auto keys = auth::KeySet::FromPem(pub_);
    EXPECT_TRUE(keys.ok());
    return auth::Authorizer(std::make_unique<auth::Verifier>(*keys, auth::VerifierOptions{"lnob", "lnob"}, RealClock::Get()),
                            auth::RolePolicy::Default());
  }
  std::string AdminBearer() { return "Bearer " + testing::TestToken(priv_, {"PROVINCE_ADMIN"}); }
  ServerConfig Config() {
    ServerConfig c;
    c.service = "registration-test";
    c.listen_host = "127.0.0.1";
    c.metrics_host = "127.0.0.1";
    c.database_url = "host=127.0.0.1";
    c.jwt_public_keys_file = key_file_;
    c.page_token_secret = "test-secret-0123456789";
    c.shutdown_grace = absl::ZeroDuration();
    return c;
  }
  static std::string priv_, pub_;
  std::string key_file_;
};
std::string RegistrationTest::priv_, RegistrationTest::pub_;

TEST_F(RegistrationTest, AMethodWithoutPolicyIsAStartupErrorNamingIt) {
  auth::Authorizer a = MakeAuthorizer();
  absl::Status st = a.RegisterService(BrokenService());
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "lnob.test.v1.Broken.Do")) << st;
  // Nothing of the refused service was recorded: its method is refused, even to an admin.
  auto p = a.Authorize("/lnob.test.v1.Broken/Do", AdminBearer());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(a.RegisterService(nullptr).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RegistrationTest, CallsToUnregisteredServicesAreRefusedExceptGrpcInfrastructure) {
  auth::Authorizer a = MakeAuthorizer();
  ASSERT_TRUE(a.RegisterService(ReferenceService()).ok());
  const std::string bearer = AdminBearer();
  EXPECT_TRUE(a.Authorize("/lnob.registry.v1.ReferenceDataService/ListAdminUnits", bearer).ok());
  // A service the process serves but never registered (a typo, a forgotten line) gets no
  // anonymous pass: every one of its methods is refused, with or without a token.
  for (const char* method : {"/lnob.registry.v1.HouseholdService/GetHousehold",
                             "/lnob.funding.v1.FundingService/GetPlan", "/lnob.registry.v1.ReferenceDataServic/GetAdminUnit"}) {
    auto with = a.Authorize(method, bearer);
    EXPECT_EQ(with.status().code(), absl::StatusCode::kPermissionDenied) << method;
    EXPECT_EQ(GetReason(with.status()).value_or(""), "NO_POLICY") << method;
    EXPECT_EQ(a.Authorize(method, "").status().code(), absl::StatusCode::kPermissionDenied) << method;
  }
  EXPECT_TRUE(a.Authorize("/grpc.health.v1.Health/Check", "").ok());
  EXPECT_TRUE(a.Authorize("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "").ok());
}

TEST_F(RegistrationTest, RegisteringBeforeInitIsAnErrorNotACrash) {
  ServerRunner runner(Config());
  grpc::Service service;
  absl::Status st = runner.AddService(&service, ReferenceService());
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

TEST_F(RegistrationTest, AMisregisteredServiceNeverServes) {
  ServerRunner runner(Config());
  ASSERT_TRUE(runner.Init().ok());
  grpc::Service broken, good;
  EXPECT_EQ(runner.AddService(&broken, BrokenService()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(runner.AddService(&good, ReferenceService()).ok());
  // Start repeats the first registration error: the process exits instead of serving the
  // rest with a hole in its access policy.
  absl::Status st = runner.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "lnob.test.v1.Broken.Do")) << st;
  EXPECT_EQ(runner.grpc_port(), 0);
}

TEST_F(RegistrationTest, AServiceWithoutDescriptorIsRefused) {
  ServerRunner runner(Config());
  ASSERT_TRUE(runner.Init().ok());
  grpc::Service service;
  EXPECT_EQ(runner.AddService(&service, nullptr).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(runner.Start().ok());
}

}  // namespace
}  // namespace lnob::server
