// The registry's gRPC face in-process (port 0) on real PostgreSQL: identity, permissions,
// area scope, error details, request ids, health and metrics through the common runner.

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/page_token.h"
#include "common/auth/jwt.h"
#include "common/db/pool.h"
#include "common/server/runner.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "embedded/lnob_registry_migrations.h"
#include "embedded/lnob_registry_data.h"
#include "gtest/gtest.h"
#include "lnob/registry/v1/reference_data.grpc.pb.h"
#include "lnob/registry/v1/reference_data.lnob.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/domain/unit_directory.h"
#include "services/registry/store/pg_reference_store.h"
#include "tests/support/test_db.h"
#include "tests/support/tokens.h"

namespace lnob::registry {
namespace {

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

class RegistryServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(auth::GenerateRsaKeyPair(&priv_, &pub_).ok());
    ASSERT_TRUE(auth::GenerateRsaKeyPair(&other_priv_, &other_pub_).ok());
  }

  void SetUp() override {
    db_ = testing::TestDatabase::Create("registry", EmbeddedMigrations());
    ASSERT_TRUE(db_);
    const char* tmp = std::getenv("LNOB_TEST_TMP");
    key_file_ = absl::StrCat(tmp ? tmp : "/tmp", "/keys-", db_->name(), ".pem");
    std::ofstream(key_file_) << pub_;
    server::ServerConfig c;
    c.service = "registry";
    c.listen_host = "127.0.0.1";
    c.metrics_host = "127.0.0.1";
    c.database_url = db_->service_url();
    c.jwt_public_keys_file = key_file_;
    c.page_token_secret = "test-secret-0123456789";
    c.shutdown_grace = absl::ZeroDuration();
    c.drain_timeout = absl::Seconds(2);
    c.health_interval = absl::Milliseconds(100);
    ASSERT_TRUE(c.Validate().ok()) << c.Validate();
    runner_ = std::make_unique<server::ServerRunner>(c);
    ASSERT_TRUE(runner_->Init().ok());
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{.dsn = c.database_url, .max_size = 4},
                                       &runner_->metrics().registry());
    store_ = NewPgReferenceStore(pool_.get());
    ASSERT_TRUE(store_->Load(*BuildRefData(EmbeddedRefData()), "test").ok());
    units_ = std::make_unique<LocalUnitDirectory>(store_.get());
    scope_ = std::make_unique<scope::AreaScope>(units_.get(), RealClock::Get());
    logic_ = std::make_unique<ReferenceLogic>(store_.get(), scope_.get(), api::PageTokenCodec(c.page_token_secret),
                                              RealClock::Get());
    service_ = std::make_unique<v1::ReferenceDataServiceAdapter<ReferenceLogic>>(logic_.get());
    ASSERT_TRUE(runner_->Add(service_.get()).ok());
    runner_->SetReadinessProbe([this] { return store_->Healthy(); });
    ASSERT_TRUE(runner_->Start().ok());
    ASSERT_NE(runner_->grpc_port(), 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", runner_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::ReferenceDataService::NewStub(channel_);
  }

  void TearDown() override {
    if (runner_) runner_->Shutdown();
    std::remove(key_file_.c_str());
  }

  std::string Token(std::vector<std::string> roles, std::vector<std::string> scope = {},
                    absl::Duration ttl = absl::Hours(1), const std::string& key = "") {
    return testing::TestToken(key.empty() ? priv_ : key, std::move(roles), std::move(scope), ttl);
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  static std::string priv_, pub_, other_priv_, other_pub_;
  std::string key_file_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<server::ServerRunner> runner_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ReferenceStore> store_;
  std::unique_ptr<LocalUnitDirectory> units_;
  std::unique_ptr<scope::AreaScope> scope_;
  std::unique_ptr<ReferenceLogic> logic_;
  std::unique_ptr<v1::ReferenceDataServiceAdapter<ReferenceLogic>> service_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ReferenceDataService::Stub> stub_;
};
std::string RegistryServerTest::priv_, RegistryServerTest::pub_, RegistryServerTest::other_priv_,
    RegistryServerTest::other_pub_;

v1::CreateAreaClassificationRequest Classification(const std::string& unit) {
  v1::CreateAreaClassificationRequest req;
  auto* ac = req.mutable_area_classification();
  ac->set_unit_code(unit);
  ac->set_region(v1::REGION_III);
  ac->mutable_valid_from()->set_year(2025);
  ac->mutable_valid_from()->set_month(7);
  ac->mutable_valid_from()->set_day(1);
  ac->set_legal_doc("QĐ 861/QĐ-TTg");
  ac->set_illustrative(true);
  return req;
}

TEST_F(RegistryServerTest, TokensAreVerifiedForEveryCall) {
  v1::ListEthnicGroupsResponse resp;
  EXPECT_EQ(stub_->ListEthnicGroups(Ctx("").get(), {}, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->ListEthnicGroups(Ctx(Token({"VIEWER"}, {}, -absl::Minutes(5))).get(), {}, &resp)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub_->ListEthnicGroups(Ctx(Token({"VIEWER"}, {}, absl::Hours(1), other_priv_)).get(), {},
                                    &resp)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto ok = stub_->ListEthnicGroups(Ctx(Token({"VIEWER"})).get(), {}, &resp);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(resp.ethnic_groups_size(), 54);
}

TEST_F(RegistryServerTest, PermissionAndAreaScopeAreEnforced) {
  v1::AreaClassification out;
  // VIEWER lacks registry.refdata.write
  auto st = stub_->CreateAreaClassification(Ctx(Token({"VIEWER"})).get(), Classification("25195"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // officer scoped to 25195 cannot write for 26359
  const std::string scoped = Token({"PROVINCE_OFFICER"}, {"25195"});
  st = stub_->CreateAreaClassification(Ctx(scoped).get(), Classification("26359"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(st.error_details()));
  bool has_reason = false;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) has_reason = info.reason() == "OUT_OF_SCOPE";
  }
  EXPECT_TRUE(has_reason);
  st = stub_->CreateAreaClassification(Ctx(scoped).get(), Classification("25195"), &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(absl::StartsWith(out.name(), "areaClassifications/"));
}

TEST_F(RegistryServerTest, ValidationErrorsNameTheFieldInBadRequestDetails) {
  v1::ClassifyProfileRequest req;
  req.set_area_type(v1::AREA_TYPE_RURAL);
  req.set_income_per_capita_vnd(-5);
  v1::ClassifyProfileResponse resp;
  auto st = stub_->ClassifyProfile(Ctx(Token({"VIEWER", "REVIEWER"})).get(), req, &resp);
  ASSERT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(st.error_details()));
  std::string field;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br) && br.field_violations_size() > 0) field = br.field_violations(0).field();
  }
  EXPECT_EQ(field, "income_per_capita_vnd");
}

TEST_F(RegistryServerTest, RequestIdIsEchoedAndMetricsUseGoCodeNames) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + Token({"VIEWER"}));
  ctx.AddMetadata("x-request-id", "req-abc-123");
  ctx.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  v1::GetAdminUnitRequest req;
  req.set_name("adminUnits/99999");
  v1::AdminUnit unit;
  EXPECT_EQ(stub_->GetAdminUnit(&ctx, req, &unit).error_code(), grpc::StatusCode::NOT_FOUND);
  auto md = ctx.GetServerInitialMetadata();
  auto it = md.find("x-request-id");
  ASSERT_NE(it, md.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "req-abc-123");
  const std::string metrics = HttpGet(runner_->metrics_port(), "/metrics");
  EXPECT_TRUE(absl::StrContains(metrics, "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"GetAdminUnit\""))
      << metrics.substr(0, 2000);
  EXPECT_TRUE(absl::StrContains(metrics, "grpc_server_started_total"));
  EXPECT_TRUE(absl::StrContains(metrics, "grpc_server_handling_seconds_bucket"));
  EXPECT_TRUE(absl::StrContains(metrics, "lnob_db_pool_connections"));
  EXPECT_TRUE(absl::StrContains(metrics, "lnob_build_info{"));
}

TEST_F(RegistryServerTest, HealthIsPerServiceAndAnonymous) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string name : {"", "lnob.registry.v1.ReferenceDataService"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(name);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

}  // namespace
}  // namespace lnob::registry
