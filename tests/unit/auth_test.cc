#include "absl/strings/match.h"
#include "common/auth/jwt.h"
#include "common/auth/policy.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "lnob/common/v1/options.pb.h"
#include "lnob/registry/v1/reference_data.pb.h"

namespace lnob::auth {
namespace {

const google::protobuf::ServiceDescriptor* RegistryService() {
  return lnob::registry::v1::AdminUnit::descriptor()->file()->FindServiceByName("ReferenceDataService");
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(GenerateRsaKeyPair(&priv_, &pub_).ok());
    ASSERT_TRUE(GenerateRsaKeyPair(&other_priv_, &other_pub_).ok());
  }
  Claims Valid() const {
    Claims c;
    c.issuer = "lnob";
    c.audience = {"lnob"};
    c.subject = "officer-1";
    c.issued_at = clock_.Now();
    c.not_before = clock_.Now();
    c.expires_at = clock_.Now() + absl::Hours(1);
    c.roles = {"COMMUNE_OFFICER"};
    c.scope_units = {"25195"};
    return c;
  }
  Verifier MakeVerifier(const std::string& pem) {
    auto keys = KeySet::FromPem(pem);
    EXPECT_TRUE(keys.ok());
    return Verifier(*keys, {"lnob", "lnob"}, clock_);
  }
  static std::string priv_, pub_, other_priv_, other_pub_;
  FakeClock clock_{absl::FromUnixSeconds(1780000000)};
};
std::string JwtTest::priv_, JwtTest::pub_, JwtTest::other_priv_, JwtTest::other_pub_;

TEST_F(JwtTest, AcceptsValidToken) {
  auto tok = MintRs256(priv_, Valid());
  ASSERT_TRUE(tok.ok());
  auto claims = MakeVerifier(pub_).Verify(*tok);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "officer-1");
  EXPECT_EQ(claims->roles, std::vector<std::string>{"COMMUNE_OFFICER"});
  EXPECT_EQ(claims->scope_units, std::vector<std::string>{"25195"});
}

TEST_F(JwtTest, RejectsExpired) {
  auto tok = MintRs256(priv_, Valid());
  clock_.Advance(absl::Hours(2));
  auto r = MakeVerifier(pub_).Verify(*tok);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(r.status()).value_or(""), "TOKEN_EXPIRED");
}

TEST_F(JwtTest, RejectsOtherKey) {
  auto tok = MintRs256(other_priv_, Valid());
  auto r = MakeVerifier(pub_).Verify(*tok);
  EXPECT_EQ(GetReason(r.status()).value_or(""), "TOKEN_SIGNATURE");
}

TEST_F(JwtTest, AcceptsAnyKeyOfARotatingSet) {
  auto tok = MintRs256(other_priv_, Valid());
  auto r = MakeVerifier(pub_ + other_pub_).Verify(*tok);
  EXPECT_TRUE(r.ok()) << r.status();
}

TEST_F(JwtTest, RejectsWrongAudienceIssuerAndTampering) {
  Claims c = Valid();
  c.audience = {"other"};
  EXPECT_EQ(GetReason(MakeVerifier(pub_).Verify(*MintRs256(priv_, c)).status()).value_or(""),
            "TOKEN_AUDIENCE");
  c = Valid();
  c.issuer = "evil";
  EXPECT_EQ(GetReason(MakeVerifier(pub_).Verify(*MintRs256(priv_, c)).status()).value_or(""),
            "TOKEN_ISSUER");
  // Swap the payload for one granting more roles: the signature no longer matches.
  std::string tok = *MintRs256(priv_, Valid());
  c = Valid();
  c.roles = {"PROVINCE_ADMIN"};
  std::string forged = *MintRs256(other_priv_, c);
  auto p1 = tok.find('.'), p2 = tok.rfind('.');
  auto f1 = forged.find('.'), f2 = forged.rfind('.');
  std::string spliced = tok.substr(0, p1) + forged.substr(f1, f2 - f1) + tok.substr(p2);
  EXPECT_EQ(GetReason(MakeVerifier(pub_).Verify(spliced).status()).value_or(""), "TOKEN_SIGNATURE");
  EXPECT_EQ(GetReason(MakeVerifier(pub_).Verify("a.b").status()).value_or(""), "TOKEN_MALFORMED");
}

TEST(RolePolicy, GrantsByExactWildcardAndStar) {
  auto p = RolePolicy::FromJson(R"({"roles": {"A": ["registry.refdata.read"], "B": ["registry.*"], "C": ["*"]}})");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Grants({"A"}, "registry.refdata.read"));
  EXPECT_FALSE(p->Grants({"A"}, "registry.refdata.write"));
  EXPECT_TRUE(p->Grants({"B"}, "registry.refdata.write"));
  EXPECT_FALSE(p->Grants({"B"}, "funding.read"));
  EXPECT_TRUE(p->Grants({"C"}, "funding.read"));
  EXPECT_FALSE(p->Grants({"UNKNOWN"}, "registry.refdata.read"));
  EXPECT_FALSE(RolePolicy::FromJson("{}").ok());
}

TEST_F(JwtTest, AuthorizerUsesProtoMethodPolicy) {
  auto keys = KeySet::FromPem(pub_);
  Authorizer a(std::make_unique<Verifier>(*keys, VerifierOptions{"lnob", "lnob"}, clock_),
               RolePolicy::Default());
  ASSERT_TRUE(a.RegisterService(RegistryService()).ok());
  const std::string read = "/lnob.registry.v1.ReferenceDataService/ListAdminUnits";
  const std::string write = "/lnob.registry.v1.ReferenceDataService/CreateAreaClassification";
  ASSERT_NE(a.RuleFor(write), nullptr);
  EXPECT_EQ(a.RuleFor(write)->permission, "registry.refdata.write");
  EXPECT_EQ(a.Authorize(read, "").status().code(), absl::StatusCode::kUnauthenticated);
  Claims viewer = Valid();
  viewer.roles = {"VIEWER"};
  const std::string bearer = "Bearer " + *MintRs256(priv_, viewer);
  EXPECT_TRUE(a.Authorize(read, bearer).ok());
  EXPECT_EQ(a.Authorize(write, bearer).status().code(), absl::StatusCode::kPermissionDenied);
  // health and reflection are not lnob services and stay open
  EXPECT_TRUE(a.Authorize("/grpc.health.v1.Health/Check", "").ok());
  // an unknown method of a registered service is refused
  EXPECT_EQ(a.Authorize("/lnob.registry.v1.ReferenceDataService/Nope", bearer).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Every method of every public service declares a permission (fail closed by review, too).
TEST(MethodPolicy, EveryRegistryMethodDeclaresAPermission) {
  const auto* svc = RegistryService();
  for (int i = 0; i < svc->method_count(); ++i) {
    const auto& opt = svc->method(i)->options().GetExtension(lnob::common::v1::policy);
    EXPECT_FALSE(opt.permission().empty()) << svc->method(i)->full_name();
    EXPECT_TRUE(RolePolicy::Default().Grants({"PROVINCE_ADMIN"}, opt.permission()));
  }
}

}  // namespace
}  // namespace lnob::auth

namespace lnob::auth {
namespace {

TEST_F(JwtTest, AnEmptyScopeCodeIsRejectedNotWidened) {
  Claims c = Valid();
  c.scope_units = {""};
  auto r = MakeVerifier(pub_).Verify(*MintRs256(priv_, c));
  EXPECT_EQ(GetReason(r.status()).value_or(""), "TOKEN_MALFORMED");
}

}  // namespace
}  // namespace lnob::auth

namespace lnob::auth {
namespace {

// A commune role without a scope would act province-wide: refused at authentication.
TEST_F(JwtTest, AreaRolesNeedAScope) {
  auto keys = KeySet::FromPem(pub_);
  Authorizer a(std::make_unique<Verifier>(*keys, VerifierOptions{"lnob", "lnob"}, clock_), RolePolicy::Default());
  ASSERT_TRUE(a.RegisterService(RegistryService()).ok());
  const std::string read = "/lnob.registry.v1.ReferenceDataService/ListAdminUnits";
  Claims scoped = Valid();  // COMMUNE_OFFICER of 25195
  EXPECT_TRUE(a.Authorize(read, "Bearer " + *MintRs256(priv_, scoped)).ok());
  Claims unscoped = Valid();
  unscoped.scope_units.clear();
  auto refused = a.Authorize(read, "Bearer " + *MintRs256(priv_, unscoped));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(refused.status()).value_or(""), "SCOPE_REQUIRED");
  // A province role keeps the whole province without a scope.
  Claims province = unscoped;
  province.roles = {"PROVINCE_OFFICER"};
  EXPECT_TRUE(a.Authorize(read, "Bearer " + *MintRs256(priv_, province)).ok());
  EXPECT_EQ(RolePolicy::Default().AreaRoleIn({"VIEWER", "COMMUNE_CHAIR"}), "COMMUNE_CHAIR");
  EXPECT_FALSE(RolePolicy::FromJson(R"({"roles": {"A": []}, "area_roles": ["B"]})").ok());
}

}  // namespace
}  // namespace lnob::auth
