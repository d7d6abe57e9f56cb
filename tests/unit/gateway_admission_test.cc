// The gateway's admission (identity, permission, rate) and client address, shared by both
// faces: tested here without sockets.

#include "services/gateway/domain/admission.h"

#include "common/auth/jwt.h"
#include "common/status/status.h"
#include "gtest/gtest.h"
#include "lnob/registry/v1/reference_data.pb.h"
#include "services/gateway/domain/client_address.h"

namespace lnob::gateway {
namespace {

TEST(TrustedProxies, ParsesAddressesAndBlocksAndNamesTheBadEntry) {
  auto p = TrustedProxies::Parse("10.0.0.0/8, 192.0.2.7,fd00::/8");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->Contains("10.1.2.3"));
  EXPECT_TRUE(p->Contains("192.0.2.7"));
  EXPECT_FALSE(p->Contains("192.0.2.8"));
  EXPECT_TRUE(p->Contains("[fd00::1]"));
  EXPECT_FALSE(p->Contains("fe80::1"));
  EXPECT_FALSE(p->Contains("not an address"));
  EXPECT_TRUE(TrustedProxies::Parse("").ok());
  auto bad = TrustedProxies::Parse("10.0.0.0/8,10.0.0.0/33");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("10.0.0.0/33"), absl::string_view::npos);
  EXPECT_FALSE(TrustedProxies::Parse("ingress").ok());
}

TEST(TrustedProxies, ForwardedForIsBelievedFromTrustedHopsOnly) {
  auto p = *TrustedProxies::Parse("10.0.0.0/8");
  // Straight from a client: its own header is ignored.
  EXPECT_EQ(p.ClientOf("203.0.113.9", "198.51.100.1"), "203.0.113.9");
  // Through the ingress: the address it appended.
  EXPECT_EQ(p.ClientOf("10.0.3.4", "198.51.100.1"), "198.51.100.1");
  // A client that forges a first entry is still known by what the trusted hop appended.
  EXPECT_EQ(p.ClientOf("10.0.3.4", "1.2.3.4, 198.51.100.1"), "198.51.100.1");
  // Several trusted hops are walked past.
  EXPECT_EQ(p.ClientOf("10.0.3.4", "198.51.100.1, 10.9.9.9"), "198.51.100.1");
  // A malformed entry stops the walk at the last good hop.
  EXPECT_EQ(p.ClientOf("10.0.3.4", "garbage"), "10.0.3.4");
  EXPECT_EQ(p.ClientOf("10.0.3.4", ""), "10.0.3.4");
  EXPECT_EQ(TrustedProxies().ClientOf("10.0.3.4", "198.51.100.1"), "10.0.3.4");
}

class AdmissionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(auth::GenerateRsaKeyPair(&priv_, &pub_).ok()); }

  std::unique_ptr<Admission> Make(double failure_burst = 3) {
    auto keys = auth::KeySet::FromPem(pub_);
    EXPECT_TRUE(keys.ok());
    auto authorizer = std::make_unique<auth::Authorizer>(
        std::make_unique<auth::Verifier>(*keys, auth::VerifierOptions{"lnob", "lnob"}, clock_),
        auth::RolePolicy::Default());
    EXPECT_TRUE(authorizer
                    ->RegisterService(registry::v1::AdminUnit::descriptor()->file()->FindServiceByName(
                        "ReferenceDataService"))
                    .ok());
    AdmissionConfig c;
    c.rate_limit_rps = 1;
    c.rate_limit_burst = 2;
    c.failure_rps = 0.001;
    c.failure_burst = failure_burst;
    c.trusted_proxies = *TrustedProxies::Parse("10.0.0.0/8");
    return std::make_unique<Admission>(std::move(c), std::move(authorizer), nullptr, clock_);
  }
  std::string Bearer(const std::string& subject) {
    auth::Claims c;
    c.issuer = "lnob";
    c.audience = {"lnob.registry"};
    c.subject = subject;
    c.issued_at = clock_.Now();
    c.not_before = clock_.Now();
    c.expires_at = clock_.Now() + absl::Minutes(10);
    c.roles = {"VIEWER"};
    return "Bearer " + *auth::MintRs256(priv_, c);
  }
  static CallerInfo From(std::string peer, std::string authorization, std::string forwarded_for = "") {
    CallerInfo c;
    c.peer = std::move(peer);
    c.authorization = std::move(authorization);
    c.forwarded_for = std::move(forwarded_for);
    return c;
  }

  static constexpr char kRead[] = "/lnob.registry.v1.ReferenceDataService/ListAdminUnits";
  static std::string priv_, pub_;
  FakeClock clock_{absl::FromUnixSeconds(1780000000)};
};
std::string AdmissionTest::priv_, AdmissionTest::pub_;

TEST_F(AdmissionTest, AVerifiedCallerIsNamedByItsSubjectAndRateLimited) {
  auto a = Make();
  const std::string token = Bearer("system-a");
  AdmissionResult r = a->Admit(kRead, From("10.0.0.5", token, "198.51.100.1"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.client, "sub:system-a");
  EXPECT_EQ(r.authorization, token);
  EXPECT_TRUE(a->Admit(kRead, From("10.0.0.5", token)).status.ok());
  AdmissionResult limited = a->Admit(kRead, From("10.0.0.5", token));
  EXPECT_EQ(GetReason(limited.status).value_or(""), "RATE_LIMITED");
  EXPECT_GE(limited.retry_after_seconds, 1);
  // Another subject from the same address has its own bucket.
  EXPECT_TRUE(a->Admit(kRead, From("10.0.0.5", Bearer("system-b"))).status.ok());
}

TEST_F(AdmissionTest, RefusedCredentialsAreCountedPerClientButAValidOneIsNeverRefused) {
  auto a = Make(/*failure_burst=*/3);
  const auto junk = From("10.0.0.5", "Bearer not.a.token", "198.51.100.1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a->Admit(kRead, junk).status.code(), absl::StatusCode::kUnauthenticated) << i;
  }
  AdmissionResult limited = a->Admit(kRead, junk);
  EXPECT_EQ(GetReason(limited.status).value_or(""), "RATE_LIMITED");
  EXPECT_EQ(limited.client, "addr:198.51.100.1");
  // The same client with a token that verifies: served.
  EXPECT_TRUE(a->Admit(kRead, From("10.0.0.5", Bearer("system-a"), "198.51.100.1")).status.ok());
  // Another client behind the same ingress: its own budget.
  EXPECT_EQ(a->Admit(kRead, From("10.0.0.5", "Bearer junk", "198.51.100.2")).status.code(),
            absl::StatusCode::kUnauthenticated);
  // No credential at all is not counted.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a->Admit(kRead, From("10.0.0.5", "", "198.51.100.3")).status.code(),
              absl::StatusCode::kUnauthenticated);
  }
}

TEST_F(AdmissionTest, ApiKeysWithoutAnAuthenticatorAreRefused) {
  auto a = Make();
  CallerInfo c = From("127.0.0.1", "");
  c.api_key = "lnob_" + std::string(43, 'A');
  AdmissionResult r = a->Admit(kRead, c);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(r.status).value_or(""), "API_KEYS_DISABLED");
}

TEST_F(AdmissionTest, StreamsAreCappedPerClient) {
  AdmissionConfig c;
  c.max_streams_per_client = 2;
  Admission a(std::move(c), nullptr, nullptr, clock_);
  EXPECT_TRUE(a.BeginStream("sub:a"));
  EXPECT_TRUE(a.BeginStream("sub:a"));
  EXPECT_FALSE(a.BeginStream("sub:a"));  // the third of one client
  EXPECT_TRUE(a.BeginStream("sub:b"));   // another client is served
  a.EndStream("sub:a");
  EXPECT_TRUE(a.BeginStream("sub:a"));
}

TEST(ConcurrencyGate, RefusesPastItsLimit) {
  ConcurrencyGate g(2);
  EXPECT_TRUE(g.TryEnter());
  EXPECT_TRUE(g.TryEnter());
  EXPECT_FALSE(g.TryEnter());
  g.Leave();
  EXPECT_TRUE(g.TryEnter());
  EXPECT_EQ(g.open(), 2);
}

}  // namespace
}  // namespace lnob::gateway
