#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/auth/policy.h"
#include "common/auth/service_token.h"
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
    c.audience = {"lnob", "lnob.registry"};
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

TEST(OwnTokenOptions, AServicesIdentityIsItsNameAndItsServiceRole) {
  const ServiceTokenOptions o = OwnTokenOptions("reporting", "registry", "lnob");
  EXPECT_EQ(o.subject, "service:reporting");
  ASSERT_EQ(o.roles.size(), 1u);
  EXPECT_EQ(o.roles[0], "SERVICE_REPORTING");
  EXPECT_EQ(o.audience, AudienceOfService("registry"));
  EXPECT_EQ(o.issuer, "lnob");
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

TEST_F(JwtTest, EachServiceIsItsOwnAudience) {
  EXPECT_EQ(AudienceOfMethod("/lnob.registry.v1.HouseholdService/GetHousehold"), "lnob.registry");
  EXPECT_EQ(AudienceOfMethod("/lnob.funding.v1.FundingService/ListPlans"), "lnob.funding");
  EXPECT_EQ(AudienceOfMethod("nonsense"), "");
  EXPECT_EQ(AudienceOfService("funding"), "lnob.funding");
  auto keys = KeySet::FromPem(pub_);
  Authorizer a(std::make_unique<Verifier>(*keys, VerifierOptions{.issuer = "lnob"}, clock_), RolePolicy::Default());
  ASSERT_TRUE(a.RegisterService(RegistryService()).ok());
  const std::string read = "/lnob.registry.v1.ReferenceDataService/ListAdminUnits";
  Claims c = Valid();
  c.roles = {"VIEWER"};
  c.audience = {"lnob.funding"};  // minted for funding: the registry refuses it
  auto refused = a.Authorize(read, "Bearer " + *MintRs256(priv_, c));
  EXPECT_EQ(GetReason(refused.status()).value_or(""), "TOKEN_AUDIENCE");
  c.audience = {"lnob.funding", "lnob.registry"};
  EXPECT_TRUE(a.Authorize(read, "Bearer " + *MintRs256(priv_, c)).ok());
}

TEST_F(JwtTest, AKeyWithAPolicySignsOnlyWhatItAllows) {
  auto policy = KeyPolicy::Parse(" subjects=apikey:* roles=SYSTEM_CLIENT,VIEWER");
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto keys = KeySet::FromPem(policy->ToLine() + "\n" + pub_ + other_pub_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  Verifier v(*keys, {"lnob", "lnob"}, clock_);
  Claims c = Valid();
  c.subject = "apikey:7";
  c.roles = {"VIEWER"};
  EXPECT_TRUE(v.Verify(*MintRs256(priv_, c)).ok());
  c.roles = {"PROVINCE_ADMIN"};  // a leaked gateway key cannot mint an administrator
  auto admin = v.Verify(*MintRs256(priv_, c));
  EXPECT_EQ(GetReason(admin.status()).value_or(""), "TOKEN_KEY_POLICY");
  c.roles = {"VIEWER"};
  c.subject = "officer-1";  // nor act as a person
  EXPECT_EQ(GetReason(v.Verify(*MintRs256(priv_, c)).status()).value_or(""), "TOKEN_KEY_POLICY");
  // The second key has no policy line: an operator key, it signs anything.
  c.roles = {"PROVINCE_ADMIN"};
  EXPECT_TRUE(v.Verify(*MintRs256(other_priv_, c)).ok());
  EXPECT_FALSE(KeyPolicy::Parse("subjects=* roles=VIEWER").ok());
  EXPECT_FALSE(KeyPolicy::Parse("roles=VIEWER").ok());
  EXPECT_FALSE(KeyPolicy::Parse("subjects=a audience=x roles=").ok());
  EXPECT_FALSE(KeySet::FromPem("lnob-key-policy: nonsense\n" + pub_).ok());
}

TEST_F(JwtTest, TypIatLifetimeAndRangesAreChecked) {
  Verifier v = MakeVerifier(pub_);
  auto sign = [&](const std::string& header, const std::string& payload) {
    // Hand-made tokens: the same RS256 signature over arbitrary header and payload.
    const std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
    auto pkey = std::unique_ptr<BIO, decltype(&BIO_free)>(BIO_new_mem_buf(priv_.data(), priv_.size()), BIO_free);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(pkey.get(), nullptr, nullptr, nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, k);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return input + "." + Base64UrlEncode(sig.substr(0, len));
  };
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto payload = [&](const std::string& times) {
    return R"({"iss":"lnob","sub":"s","aud":["lnob"],"roles":["VIEWER"],)" + times + "}";
  };
  const std::string good_times = absl::StrCat(R"("iat":)", now, R"(,"exp":)", now + 600);
  EXPECT_TRUE(v.Verify(sign(R"({"alg":"RS256","typ":"JWT"})", payload(good_times))).ok());
  auto reason = [&](const std::string& header, const std::string& body) {
    return GetReason(v.Verify(sign(header, body)).status()).value_or("");
  };
  EXPECT_EQ(reason(R"({"alg":"RS256"})", payload(good_times)), "TOKEN_MALFORMED");                 // no typ
  EXPECT_EQ(reason(R"({"alg":"RS256","typ":"at+jwt"})", payload(good_times)), "TOKEN_MALFORMED");  // other typ
  const std::string h = R"({"alg":"RS256","typ":"JWT"})";
  EXPECT_EQ(reason(h, payload(absl::StrCat(R"("exp":)", now + 600))), "TOKEN_MALFORMED");  // no iat
  EXPECT_EQ(reason(h, payload(absl::StrCat(R"("iat":)", now + 3600, R"(,"exp":)", now + 7200))),
            "TOKEN_NOT_YET_VALID");  // issued in the future
  EXPECT_EQ(reason(h, payload(absl::StrCat(R"("iat":)", now, R"(,"exp":)", now + 86400 * 30))),
            "TOKEN_LIFETIME");  // a month-long token
  EXPECT_EQ(reason(h, payload(absl::StrCat(R"("iat":)", now, R"(,"exp":1e300)"))), "TOKEN_MALFORMED");
  EXPECT_EQ(reason(h, payload(absl::StrCat(R"("iat":)", now, R"(,"exp":-5)"))), "TOKEN_MALFORMED");
}

TEST_F(JwtTest, ShortRsaKeysAreRefused) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  ASSERT_NE(small, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, small);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  const std::string pem(data, n);
  BIO_free(bio);
  EVP_PKEY_free(small);
  auto keys = KeySet::FromPem(pem);
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find("2048"), absl::string_view::npos);
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
