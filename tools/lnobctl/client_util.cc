#include "tools/lnobctl/client_util.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/strings/str_split.h"
#include "common/auth/jwt.h"
#include "common/server/service_list.h"
#include "grpcpp/client_context.h"

namespace lnob::ctl {

std::string Token(const Args& a) {
  std::string tok = Get(a, "token");
  const std::string file = Get(a, "token_file");
  if (tok.empty() && !file.empty()) {
    std::ifstream in(file);
    std::getline(in, tok);
  }
  return tok;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

namespace {

// The first 16 bytes of a SHA-256 digest, shaped like an RFC 4122 name-based UUID.
std::string DigestUuid(const unsigned char* digest) {
  std::string hex = absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 16));
  hex[12] = '5';
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20, 12));
}

}  // namespace

std::string FileImportId(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) EVP_DigestUpdate(ctx, buf, in.gcount());
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, d, &len);
  EVP_MD_CTX_free(ctx);
  return DigestUuid(d);
}

std::string RowRequestId(const std::string& import_id, int64_t row) {
  const std::string key = absl::StrCat(import_id, ":", row);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), d, &len, EVP_sha256(), nullptr);
  return DigestUuid(d);
}

int64_t CountLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

void Progress::Update(int64_t done, bool final) {
  const absl::Time now = absl::Now();
  if (!final && now - last_ < absl::Milliseconds(200)) return;
  last_ = now;
  const double secs = std::max(1e-3, absl::ToDoubleSeconds(now - start_));
  const double rate = done / secs;
  const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 0;
  const int width = 30, filled = static_cast<int>(frac * width);
  const double eta = rate > 0 && total_ > done ? (total_ - done) / rate : 0;
  std::string bar(filled, '#');
  bar += std::string(width - filled, '.');
  std::fprintf(stderr, "%s[%s] %3.0f%% %lld/%lld %s  %.0f %s/s  ETA %.0fs%s", tty_ ? "\r" : "", bar.c_str(), frac * 100,
               static_cast<long long>(done), static_cast<long long>(total_), noun_, rate, noun_, eta, tty_ ? "" : "\n");
  if (final && tty_) std::fprintf(stderr, "\n");
}

std::string MintDemoToken(const std::string& key_pem, const std::string& subject, const std::string& roles,
                          const std::vector<std::string>& scope) {
  auth::Claims c;
  c.issuer = "lnob";
  for (const auto& svc : services::All()) c.audience.push_back(auth::AudienceOfService(svc.name));
  c.subject = subject;
  for (auto r : absl::StrSplit(roles, ',')) c.roles.emplace_back(r);
  c.scope_units = scope;
  const absl::Time now = absl::Now();
  c.issued_at = now;
  c.not_before = now - absl::Seconds(5);
  c.expires_at = now + absl::Minutes(30);
  auto tok = auth::MintRs256(key_pem, c);
  return tok.ok() ? *tok : "";
}

std::string ReadPrivateKey(const Args& a, const char* what) {
  const std::string file = Get(a, "private_key");
  if (file.empty()) {
    std::fprintf(stderr, "%s: --private_key is required (it signs the demo's officers' tokens)\n", what);
    return "";
  }
  std::ifstream in(file);
  std::stringstream key;
  key << in.rdbuf();
  if (!in || key.str().empty()) std::fprintf(stderr, "%s: cannot read %s\n", what, file.c_str());
  return key.str();
}

}  // namespace lnob::ctl
