// Gateway API keys: ApiKeyLogic and ApiKeyAuthenticator over the PostgreSQL store.

#include <memory>
#include <string>

#include "common/auth/jwt.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "embedded/lnob_gateway_migrations.h"
#include "common/api/proto_date.h"
#include "gtest/gtest.h"
#include "services/gateway/domain/api_key_auth.h"
#include "services/gateway/domain/api_key_logic.h"
#include "services/gateway/store/pg_api_key_store.h"
#include "tests/support/service_test.h"

namespace lnob::gateway {
namespace {

constexpr char kAudience[] = "lnob.registry";


google::protobuf::Timestamp In(absl::Time now, absl::Duration d) { return api::ToProtoTimestamp(now + d); }

bool HasViolation(const absl::Status& st, const std::string& field) {
  for (const auto& v : GetFieldViolations(st)) {
    if (v.field == field) return true;
  }
  return false;
}

class ApiKeyTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("gateway", EmbeddedMigrations());
    store_ = NewPgApiKeyStore(pool_.get());
    logic_ = std::make_unique<ApiKeyLogic>(store_.get(), api::PageTokenCodec("test-secret-0123456789"), clock_);
    admin_.principal.subject = "ops-admin";
    admin_.principal.roles = {"PROVINCE_ADMIN"};
    ASSERT_TRUE(auth::GenerateRsaKeyPair(&private_pem_, &public_pem_).ok());
  }

  v1::CreateApiKeyRequest NewKey(const std::string& display_name) {
    v1::CreateApiKeyRequest req;
    auto* k = req.mutable_api_key();
    k->set_display_name(display_name);
    k->add_roles("SYSTEM_CLIENT");
    k->add_scope_unit_codes("25195");
    k->mutable_expire_time()->CopyFrom(In(clock_.Now(), absl::Hours(24 * 30)));
    k->set_rate_limit_rps(5);
    return req;
  }

  v1::CreateApiKeyResponse Create(const std::string& display_name) {
    v1::CreateApiKeyResponse resp;
    absl::Status st = logic_->CreateApiKey(admin_, NewKey(display_name), &resp);
    EXPECT_TRUE(st.ok()) << st;
    return resp;
  }

  // Loaded once; the tests reload it (Refresh) where the periodic reloader would.
  std::unique_ptr<ApiKeyAuthenticator> Authenticator() {
    ApiKeyAuthOptions o;
    o.signing_key_pem = private_pem_;
    auto a = ApiKeyAuthenticator::Create(store_.get(), o, clock_);
    EXPECT_TRUE(a.ok()) << a.status();
    if (!a.ok()) return nullptr;
    EXPECT_TRUE((*a)->Refresh().ok());
    return *std::move(a);
  }

  std::string Psql(const std::string& sql) {
    pqxx::connection c(db_->admin_url());
    pqxx::work tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }

  FakeClock clock_{absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()))};
  std::unique_ptr<ApiKeyStore> store_;
  std::unique_ptr<ApiKeyLogic> logic_;
  server::Call admin_;
  std::string private_pem_, public_pem_;
};

TEST(ApiKeySecretTest, FormatAndHeaders) {
  const ApiKeySecret s = GenerateApiKeySecret();
  EXPECT_TRUE(LooksLikeApiKeySecret(s.secret)) << s.secret;
  EXPECT_EQ(s.secret.size(), 48u);
  EXPECT_EQ(s.prefix, s.secret.substr(0, 13));
  EXPECT_EQ(s.sha256_hex, ApiKeySecretHash(s.secret));
  EXPECT_EQ(s.sha256_hex.size(), 64u);
  EXPECT_NE(GenerateApiKeySecret().secret, s.secret);
  EXPECT_FALSE(LooksLikeApiKeySecret("lnob_short"));
  EXPECT_FALSE(LooksLikeApiKeySecret(s.secret.substr(0, 47) + "+"));
  EXPECT_EQ(ApiKeyAuthenticator::SecretFromHeaders("  abc ", "ApiKey other"), "abc");
  EXPECT_EQ(ApiKeyAuthenticator::SecretFromHeaders("", "ApiKey other"), "other");
  EXPECT_EQ(ApiKeyAuthenticator::SecretFromHeaders("", "apikey other"), "other");
  EXPECT_EQ(ApiKeyAuthenticator::SecretFromHeaders("", "Bearer a.b.c"), "");
}

TEST_F(ApiKeyTest, CreateReturnsTheSecretOnceAndStoresOnlyItsHash) {
  const auto resp = Create("Funding sync");
  ASSERT_TRUE(LooksLikeApiKeySecret(resp.secret()));
  const v1::ApiKey& k = resp.api_key();
  EXPECT_EQ(k.name(), "apiKeys/1");
  EXPECT_EQ(k.state(), v1::ApiKey::ACTIVE);
  EXPECT_EQ(k.created_by(), "ops-admin");
  EXPECT_EQ(k.key_prefix(), resp.secret().substr(0, 13));
  EXPECT_EQ(k.rate_limit_rps(), 5);
  ASSERT_EQ(k.scope_unit_codes_size(), 1);
  EXPECT_EQ(k.scope_unit_codes(0), "25195");
  // No column of the row holds the secret.
  EXPECT_EQ(Psql("SELECT count(*) FROM gateway.api_keys k WHERE strpos(row_to_json(k)::text, '" +
                 resp.secret() + "') > 0"),
            "0");
  EXPECT_EQ(Psql("SELECT secret_sha256 FROM gateway.api_keys"), ApiKeySecretHash(resp.secret()));
  // Reads never show the secret.
  v1::ApiKey got;
  v1::GetApiKeyRequest get;
  get.set_name(k.name());
  ASSERT_TRUE(logic_->GetApiKey(admin_, get, &got).ok());
  EXPECT_EQ(got.SerializeAsString().find(resp.secret()), std::string::npos);
  EXPECT_EQ(got.display_name(), "Funding sync");
}

TEST_F(ApiKeyTest, ValidationNamesTheFields) {
  v1::CreateApiKeyRequest req;
  auto* k = req.mutable_api_key();
  k->add_roles("NOBODY");
  k->add_roles("PROVINCE_ADMIN");
  k->add_scope_unit_codes("25x");
  k->mutable_expire_time()->CopyFrom(In(clock_.Now(), -absl::Hours(1)));
  k->set_rate_limit_rps(-1);
  v1::CreateApiKeyResponse resp;
  absl::Status st = logic_->CreateApiKey(admin_, req, &resp);
  ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"api_key.display_name", "api_key.roles[0]", "api_key.roles[1]",
                            "api_key.scope_unit_codes[0]", "api_key.expire_time", "api_key.rate_limit_rps"}) {
    EXPECT_TRUE(HasViolation(st, field)) << field << ": " << st;
  }
  req = NewKey("too long");
  req.mutable_api_key()->mutable_expire_time()->CopyFrom(In(clock_.Now(), absl::Hours(24 * 800)));
  st = logic_->CreateApiKey(admin_, req, &resp);
  EXPECT_TRUE(HasViolation(st, "api_key.expire_time")) << st;
  req.mutable_api_key()->mutable_expire_time()->set_nanos(-1);  // not a timestamp
  st = logic_->CreateApiKey(admin_, req, &resp);
  EXPECT_TRUE(HasViolation(st, "api_key.expire_time")) << st;
  // A creator limited to an area hands out keys only within it.
  server::Call local = admin_;
  local.principal.scope.unit_codes = {"25198"};
  st = logic_->CreateApiKey(local, NewKey("outside"), &resp);
  EXPECT_TRUE(HasViolation(st, "api_key.scope_unit_codes[0]")) << st;
  // A commune role without a scope would act province-wide: refused.
  auto commune = NewKey("commune office");
  commune.mutable_api_key()->clear_roles();
  commune.mutable_api_key()->add_roles("COMMUNE_OFFICER");
  commune.mutable_api_key()->clear_scope_unit_codes();
  st = logic_->CreateApiKey(admin_, commune, &resp);
  EXPECT_TRUE(HasViolation(st, "api_key.scope_unit_codes")) << st;
  EXPECT_EQ(Psql("SELECT count(*) FROM gateway.api_keys"), "0");
}

TEST_F(ApiKeyTest, ListPaginatesAndFiltersByState) {
  for (int i = 0; i < 5; ++i) Create("key " + std::to_string(i));
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/2");
  v1::ApiKey revoked;
  ASSERT_TRUE(logic_->RevokeApiKey(admin_, revoke, &revoked).ok());
  v1::ListApiKeysRequest req;
  req.set_page_size(2);
  std::vector<std::string> names;
  do {
    v1::ListApiKeysResponse page;
    ASSERT_TRUE(logic_->ListApiKeys(admin_, req, &page).ok());
    for (const auto& k : page.api_keys()) names.push_back(k.name());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(names, (std::vector<std::string>{"apiKeys/1", "apiKeys/2", "apiKeys/3", "apiKeys/4", "apiKeys/5"}));

  v1::ListApiKeysRequest active;
  active.set_state(v1::ApiKey::ACTIVE);
  v1::ListApiKeysResponse resp;
  ASSERT_TRUE(logic_->ListApiKeys(admin_, active, &resp).ok());
  EXPECT_EQ(resp.api_keys_size(), 4);
  active.set_state(v1::ApiKey::REVOKED);
  resp.Clear();
  ASSERT_TRUE(logic_->ListApiKeys(admin_, active, &resp).ok());
  ASSERT_EQ(resp.api_keys_size(), 1);
  EXPECT_EQ(resp.api_keys(0).name(), "apiKeys/2");
  // Keys past their expiry are EXPIRED as of the logic's clock.
  clock_.Advance(absl::Hours(24 * 31));
  active.set_state(v1::ApiKey::EXPIRED);
  resp.Clear();
  ASSERT_TRUE(logic_->ListApiKeys(admin_, active, &resp).ok());
  EXPECT_EQ(resp.api_keys_size(), 4);

  // A page token belongs to its filter.
  v1::ListApiKeysRequest first;
  first.set_page_size(1);
  resp.Clear();
  ASSERT_TRUE(logic_->ListApiKeys(admin_, first, &resp).ok());
  first.set_page_token(resp.next_page_token());
  first.set_state(v1::ApiKey::REVOKED);
  absl::Status st = logic_->ListApiKeys(admin_, first, &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ApiKeyTest, ARetriedCreateMakesNoSecondKeyAndNeverShowsTheSecretAgain) {
  auto req = NewKey("retried");
  req.set_request_id("0190c0de-0000-7000-8000-0000000000cc");
  v1::CreateApiKeyResponse first, again;
  ASSERT_TRUE(logic_->CreateApiKey(admin_, req, &first).ok());
  absl::Status st = logic_->CreateApiKey(admin_, req, &again);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  EXPECT_EQ(GetReason(st), "API_KEY_EXISTS");
  EXPECT_NE(st.message().find(first.api_key().name()), absl::string_view::npos) << st;
  EXPECT_TRUE(again.secret().empty());
  server::Call other = admin_;
  other.principal.subject = "someone-else";
  EXPECT_EQ(GetReason(logic_->CreateApiKey(other, req, &again)), "REQUEST_ID_TAKEN");
  EXPECT_EQ(Psql("SELECT count(*) FROM gateway.api_keys"), "1");
}

TEST_F(ApiKeyTest, RevokeIsRecordedOnce) {
  Create("to revoke");
  v1::RevokeApiKeyRequest req;
  req.set_name("apiKeys/1");
  v1::ApiKey first, second;
  ASSERT_TRUE(logic_->RevokeApiKey(admin_, req, &first).ok());
  EXPECT_EQ(first.state(), v1::ApiKey::REVOKED);
  EXPECT_EQ(first.revoked_by(), "ops-admin");
  EXPECT_TRUE(first.has_revoke_time());
  server::Call other = admin_;
  other.principal.subject = "someone-else";
  ASSERT_TRUE(logic_->RevokeApiKey(other, req, &second).ok());
  EXPECT_EQ(second.revoke_time().SerializeAsString(), first.revoke_time().SerializeAsString());
  EXPECT_EQ(second.revoked_by(), "ops-admin");
  req.set_name("apiKeys/99");
  EXPECT_EQ(logic_->RevokeApiKey(admin_, req, &second).code(), absl::StatusCode::kNotFound);
  req.set_name("keys/1");
  EXPECT_TRUE(HasViolation(logic_->RevokeApiKey(admin_, req, &second), "name"));
}

TEST_F(ApiKeyTest, AnAreaAdministratorManagesOnlyKeysOfItsArea) {
  Create("ward 25195");  // apiKeys/1, scope 25195
  server::Call area = admin_;
  area.principal.scope.unit_codes = {"25216"};
  v1::GetApiKeyRequest get;
  get.set_name("apiKeys/1");
  v1::ApiKey key;
  EXPECT_EQ(logic_->GetApiKey(area, get, &key).code(), absl::StatusCode::kNotFound);
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name("apiKeys/1");
  EXPECT_EQ(logic_->RevokeApiKey(area, revoke, &key).code(), absl::StatusCode::kNotFound);
  v1::ListApiKeysResponse listed;
  ASSERT_TRUE(logic_->ListApiKeys(area, {}, &listed).ok());
  EXPECT_EQ(listed.api_keys_size(), 0);
  area.principal.scope.unit_codes = {"25195"};
  ASSERT_TRUE(logic_->GetApiKey(area, get, &key).ok());
  ASSERT_TRUE(logic_->RevokeApiKey(area, revoke, &key).ok());
  EXPECT_EQ(key.state(), v1::ApiKey::REVOKED);
}

TEST_F(ApiKeyTest, AuthenticateMintsAVerifiableTokenWithTheKeysRolesAndScope) {
  const auto created = Create("reader");
  auto authn = Authenticator();
  auto grant = authn->Authenticate(created.secret(), kAudience);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->key_id, 1);
  EXPECT_EQ(grant->subject, "apikey:1");
  EXPECT_EQ(grant->rate_limit_rps, 5);
  ASSERT_EQ(grant->authorization.rfind("Bearer ", 0), 0u);
  auto keys = auth::KeySet::FromPem(public_pem_);
  ASSERT_TRUE(keys.ok());
  auth::Verifier verifier(*keys, {"lnob", kAudience}, clock_);
  auto claims = verifier.Verify(grant->authorization.substr(7));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "apikey:1");
  EXPECT_EQ(claims->roles, std::vector<std::string>{"SYSTEM_CLIENT"});
  EXPECT_EQ(claims->scope_units, std::vector<std::string>{"25195"});
  EXPECT_LE(claims->expires_at, clock_.Now() + absl::Seconds(60));
  // Minted for the called service only: another service refuses it.
  EXPECT_EQ(GetReason(verifier.Verify(grant->authorization.substr(7), "lnob.funding").status()),
            "TOKEN_AUDIENCE");
  EXPECT_EQ(Psql("SELECT last_used_at IS NULL FROM gateway.api_keys WHERE id = 1"), "t");
  // The token is reused while most of its life remains, then replaced.
  clock_.Advance(absl::Seconds(30));
  ASSERT_TRUE(authn->Refresh().ok());
  auto again = authn->Authenticate(created.secret(), kAudience);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->authorization, grant->authorization);
  clock_.Advance(absl::Seconds(20));
  auto later = authn->Authenticate(created.secret(), kAudience);
  ASSERT_TRUE(later.ok());
  EXPECT_NE(later->authorization, grant->authorization);
  // The use is recorded by the next reload, not by the call.
  EXPECT_EQ(Psql("SELECT last_used_at IS NOT NULL FROM gateway.api_keys WHERE id = 1"), "t");
}

TEST_F(ApiKeyTest, UnknownRevokedAndExpiredKeysAreUnauthenticated) {
  const auto created = Create("client");
  auto authn = Authenticator();
  ASSERT_TRUE(authn->Authenticate(created.secret(), kAudience).ok());

  auto unknown = authn->Authenticate(GenerateApiKeySecret().secret, kAudience);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(unknown.status()), "API_KEY_INVALID");
  EXPECT_EQ(GetReason(authn->Authenticate("not a key", kAudience).status()), "API_KEY_INVALID");

  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(created.api_key().name());
  v1::ApiKey revoked;
  ASSERT_TRUE(logic_->RevokeApiKey(admin_, revoke, &revoked).ok());
  // The in-memory copy trusts the key until it is reloaded (every refresh interval, and at
  // once after a change made through the gateway's own admin API: OnChange).
  EXPECT_TRUE(authn->Authenticate(created.secret(), kAudience).ok());
  ASSERT_TRUE(authn->Refresh().ok());
  auto now_revoked = authn->Authenticate(created.secret(), kAudience);
  EXPECT_EQ(now_revoked.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(now_revoked.status()), "API_KEY_REVOKED");

  // Expiry is checked on every call.
  const auto second = Create("expiring");
  ASSERT_TRUE(authn->Refresh().ok());
  ASSERT_TRUE(authn->Authenticate(second.secret(), kAudience).ok());
  clock_.Advance(absl::Hours(24 * 30));
  ASSERT_TRUE(authn->Refresh().ok());
  auto expired = authn->Authenticate(second.secret(), kAudience);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetReason(expired.status()), "API_KEY_EXPIRED");
}

TEST_F(ApiKeyTest, ChangesMadeHereReloadAtOnceAndAStaleCopyIsRefused) {
  auto authn = Authenticator();
  ApiKeyAuthenticator* a = authn.get();
  logic_->OnChange([a] { ASSERT_TRUE(a->Refresh().ok()); });
  const auto created = Create("fresh");
  EXPECT_TRUE(authn->Authenticate(created.secret(), kAudience).ok());  // no wait for the reloader
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(created.api_key().name());
  v1::ApiKey revoked;
  ASSERT_TRUE(logic_->RevokeApiKey(admin_, revoke, &revoked).ok());
  EXPECT_EQ(GetReason(authn->Authenticate(created.secret(), kAudience).status()), "API_KEY_REVOKED");
  // Without a reload for 3 x 5 s + 10 s, the copy may miss revocations: refused, UNAVAILABLE.
  const auto other = Create("other");
  clock_.Advance(absl::Seconds(26));
  auto stale = authn->Authenticate(other.secret(), kAudience);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(GetReason(stale.status()), "API_KEYS_UNAVAILABLE");
  logic_->OnChange(nullptr);
}

TEST_F(ApiKeyTest, MintedTokensNeverOutliveTheKey) {
  auto req = NewKey("short");
  req.mutable_api_key()->mutable_expire_time()->CopyFrom(In(clock_.Now(), absl::Seconds(20)));
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(logic_->CreateApiKey(admin_, req, &created).ok());
  auto grant = Authenticator()->Authenticate(created.secret(), kAudience);
  ASSERT_TRUE(grant.ok()) << grant.status();
  auto keys = auth::KeySet::FromPem(public_pem_);
  auth::Verifier verifier(*keys, {"lnob", kAudience}, clock_);
  auto claims = verifier.Verify(grant->authorization.substr(7));
  ASSERT_TRUE(claims.ok());
  EXPECT_LE(claims->expires_at, clock_.Now() + absl::Seconds(20));
}

TEST_F(ApiKeyTest, BadSigningKeyIsAStartupError) {
  ApiKeyAuthOptions o;
  o.signing_key_pem = public_pem_;
  EXPECT_EQ(ApiKeyAuthenticator::Create(store_.get(), o, clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lnob::gateway
