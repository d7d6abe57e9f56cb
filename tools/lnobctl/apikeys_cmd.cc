#include "tools/lnobctl/apikeys_cmd.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "lnob/gateway/v1/api_keys.grpc.pb.h"
#include "tools/lnobctl/client_util.h"

namespace lnob::ctl {
namespace v1 = ::lnob::gateway::v1;

const char kApiKeysHelp[] =
    "lnobctl apikeys create --display_name=TEXT --roles=R1,R2 [--scope=CODE,...]\n"
    "                       [--ttl=90d | --expire_time=RFC3339] [--rate_limit_rps=N]\n"
    "lnobctl apikeys list [--state=active|expired|revoked]\n"
    "lnobctl apikeys get --name=apiKeys/ID\n"
    "lnobctl apikeys revoke --name=apiKeys/ID\n"
    "   common: [--target=127.0.0.1:50050] [--token=JWT | --token_file=F] [--output=text|json]\n"
    "  API keys of system clients, through the gateway's admin API (lnob.gateway.v1.ApiKeyService\n"
    "  on the gateway's --admin_grpc_port). The token needs gateway.api_keys.admin\n"
    "  (PROVINCE_ADMIN). create prints the secret once: only its hash is stored, so give it to\n"
    "  the client now. A key carries roles of common/auth/roles.json (not one that may manage\n"
    "  keys), an area scope (empty = the whole province), an expiry (--ttl in s, m, h or d;\n"
    "  at most two years) and a rate limit (0 = the gateway's default). Clients send it as\n"
    "  'x-api-key: <secret>'. revoke takes effect at once on the gateway that served it, on the others within their --api_key_cache_ttl.\n"
    "  To rotate: create a second key, switch the client, check the old key's last use in\n"
    "  'list', then revoke it.\n";

namespace {

int FailRpc(const std::string& what, const grpc::Status& st) {
  const absl::Status s = FromGrpcStatus(st);
  std::string msg = absl::StrCat(what, ": ", CodeName(s.code()), ": ", s.message());
  for (const auto& v : GetFieldViolations(s)) absl::StrAppend(&msg, "\n  ", v.field, ": ", v.description);
  return Fail(msg);
}

bool ParseTtl(const std::string& text, absl::Duration* out) {
  absl::string_view t = text;
  int64_t days = 0;
  if (absl::ConsumeSuffix(&t, "d")) {
    if (!absl::SimpleAtoi(t, &days) || days <= 0) return false;
    *out = absl::Hours(24 * days);
    return true;
  }
  return absl::ParseDuration(text, out) && *out > absl::ZeroDuration();
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

std::string Or(const std::string& s, const char* dash = "-") { return s.empty() ? dash : s; }
// RFC 3339, or "" when unset.
std::string Text(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()), absl::UTCTimeZone());
}

void PrintKey(const v1::ApiKey& k, FILE* out = stdout) {
  std::fprintf(out, "%s  %s  %s...  roles=%s  scope=%s  expires=%s  rps=%g  last_use=%s  %s\n",
              k.name().c_str(), v1::ApiKey::State_Name(k.state()).c_str(), k.key_prefix().c_str(),
              absl::StrJoin(k.roles(), ",").c_str(),
              k.scope_unit_codes().empty() ? "province" : absl::StrJoin(k.scope_unit_codes(), ",").c_str(),
              Text(k.expire_time()).c_str(), k.rate_limit_rps(), Or(Text(k.last_use_time())).c_str(),
              k.display_name().c_str());
}

std::string KeyName(const std::string& name) {
  return absl::StartsWith(name, "apiKeys/") ? name : "apiKeys/" + name;
}

}  // namespace

int RunApiKeys(Args& a, const std::string& verb) {
  if (verb != "create" && verb != "list" && verb != "get" && verb != "revoke") {
    return Fail("apikeys: give create, list, get or revoke (see lnobctl apikeys --help)");
  }
  const bool json = Get(a, "output", "text") == "json";
  auto channel = grpc::CreateChannel(Get(a, "target", "127.0.0.1:50050"), grpc::InsecureChannelCredentials());
  auto stub = v1::ApiKeyService::NewStub(channel);
  const std::string token = Token(a);
  auto ctx = [&]() {
    auto c = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return c;
  };

  if (verb == "create") {
    v1::CreateApiKeyRequest req;
    v1::ApiKey* k = req.mutable_api_key();
    k->set_display_name(Get(a, "display_name"));
    for (auto r : absl::StrSplit(Get(a, "roles"), ',', absl::SkipEmpty())) k->add_roles(std::string(r));
    for (auto u : absl::StrSplit(Get(a, "scope"), ',', absl::SkipEmpty())) k->add_scope_unit_codes(std::string(u));
    absl::Time expires;
    if (const std::string exp = Get(a, "expire_time"); !exp.empty()) {
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, exp, &expires, &err)) {
        return Fail("apikeys create: --expire_time must be RFC 3339, e.g. 2026-12-31T00:00:00Z");
      }
    } else {
      absl::Duration ttl;
      if (!ParseTtl(Get(a, "ttl", "90d"), &ttl)) return Fail("apikeys create: --ttl must be like 90d, 12h or 30m");
      expires = absl::Now() + ttl;
    }
    k->mutable_expire_time()->set_seconds(absl::ToUnixSeconds(expires));
    if (const std::string rps = Get(a, "rate_limit_rps"); !rps.empty()) {
      double v = 0;
      if (!absl::SimpleAtod(rps, &v)) return Fail("apikeys create: --rate_limit_rps must be a number");
      k->set_rate_limit_rps(v);
    }
    v1::CreateApiKeyResponse resp;
    auto c = ctx();
    if (auto st = stub->CreateApiKey(c.get(), req, &resp); !st.ok()) return FailRpc("apikeys create", st);
    if (json) {
      std::printf("%s\n", Json(resp).c_str());
      return 0;
    }
    // Only the secret goes to stdout, so that KEY=$(lnobctl apikeys create ...) works.
    PrintKey(resp.api_key(), stderr);
    std::fprintf(stderr, "The secret follows. It is shown only now; give it to the client:\n");
    std::printf("%s\n", resp.secret().c_str());
    return 0;
  }

  if (verb == "list") {
    v1::ListApiKeysRequest req;
    const std::string state = Get(a, "state");
    if (state == "active") req.set_state(v1::ApiKey::ACTIVE);
    else if (state == "expired") req.set_state(v1::ApiKey::EXPIRED);
    else if (state == "revoked") req.set_state(v1::ApiKey::REVOKED);
    else if (!state.empty()) return Fail("apikeys list: --state must be active, expired or revoked");
    v1::ListApiKeysResponse all;
    do {
      v1::ListApiKeysResponse page;
      auto c = ctx();
      if (auto st = stub->ListApiKeys(c.get(), req, &page); !st.ok()) return FailRpc("apikeys list", st);
      for (auto& k : *page.mutable_api_keys()) *all.add_api_keys() = std::move(k);
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    if (json) {
      std::printf("%s\n", Json(all).c_str());
      return 0;
    }
    for (const auto& k : all.api_keys()) PrintKey(k);
    if (all.api_keys().empty()) std::fprintf(stderr, "no API keys\n");
    return 0;
  }

  const std::string name = Get(a, "name");
  if (name.empty()) return Fail(absl::StrCat("apikeys ", verb, ": --name=apiKeys/ID is required"));
  v1::ApiKey key;
  grpc::Status st;
  auto c = ctx();
  if (verb == "get") {
    v1::GetApiKeyRequest req;
    req.set_name(KeyName(name));
    st = stub->GetApiKey(c.get(), req, &key);
  } else {
    v1::RevokeApiKeyRequest req;
    req.set_name(KeyName(name));
    st = stub->RevokeApiKey(c.get(), req, &key);
  }
  if (!st.ok()) return FailRpc(absl::StrCat("apikeys ", verb), st);
  if (json) {
    std::printf("%s\n", Json(key).c_str());
  } else {
    PrintKey(key);
  }
  return 0;
}

}  // namespace lnob::ctl
