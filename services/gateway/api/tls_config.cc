#include "services/gateway/api/tls_config.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lnob::gateway {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

Bio MemBio(const std::string& pem) { return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

// Number of PEM certificates in `pem` (0 when none parses).
int CountCertificates(const std::string& pem) {
  Bio bio = MemBio(pem);
  int n = 0;
  while (Cert cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) ++n;
  ERR_clear_error();  // the read past the last certificate leaves an error queued
  return n;
}

}  // namespace

absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& client_ca_file) {
  TlsConfig tls;
  std::vector<std::string> problems;
  if (cert_file.empty() != key_file.empty()) {
    problems.push_back("--tls_cert and --tls_key: give both (TLS on) or neither (TLS off)");
  }
  if (cert_file.empty() && !client_ca_file.empty()) {
    problems.push_back("--tls_client_ca: needs --tls_cert and --tls_key (client certificates need TLS)");
  }
  if (!problems.empty() || cert_file.empty()) {
    if (problems.empty()) return tls;
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  if (!ReadFile(cert_file, &tls.cert_chain_pem)) {
    problems.push_back(absl::StrCat("--tls_cert: cannot read ", cert_file));
  } else if (CountCertificates(tls.cert_chain_pem) == 0) {
    problems.push_back(absl::StrCat("--tls_cert: ", cert_file, " holds no PEM certificate"));
  }
  if (!ReadFile(key_file, &tls.private_key_pem)) {
    problems.push_back(absl::StrCat("--tls_key: cannot read ", key_file));
  } else {
    Bio bio = MemBio(tls.private_key_pem);
    Key key{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
    if (key == nullptr) {
      problems.push_back(absl::StrCat("--tls_key: ", key_file, " holds no unencrypted PEM private key"));
    } else if (problems.empty()) {
      Bio cert_bio = MemBio(tls.cert_chain_pem);
      Cert leaf{PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)};
      if (leaf == nullptr || X509_check_private_key(leaf.get(), key.get()) != 1) {
        problems.push_back("--tls_key: does not match the first certificate of --tls_cert");
      }
    }
  }
  if (!client_ca_file.empty()) {
    if (!ReadFile(client_ca_file, &tls.client_ca_pem)) {
      problems.push_back(absl::StrCat("--tls_client_ca: cannot read ", client_ca_file));
    } else if (CountCertificates(tls.client_ca_pem) == 0) {
      problems.push_back(absl::StrCat("--tls_client_ca: ", client_ca_file, " holds no PEM certificate"));
    }
  }
  ERR_clear_error();
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  return tls;
}

}  // namespace lnob::gateway
