#ifndef LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_
#define LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_

// What every lnobctl command that calls a service shares: the bearer token, the call
// context, the import id of a file and the progress bar.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/lnobctl/args.h"

namespace grpc {
class ClientContext;
}

namespace lnob::ctl {

// --token, else the first line of --token_file.
std::string Token(const Args& a);
std::unique_ptr<grpc::ClientContext> Context(const std::string& token);

// The import id of a file: a UUID-shaped digest of its bytes, so that running the same file
// again resumes (and re-creates nothing) unless --import_id says otherwise.
std::string FileImportId(const std::string& path);

// The request id of one row of an import sent as unary calls: the same file, the same ids,
// so a second run is answered from the service's idempotency records.
std::string RowRequestId(const std::string& import_id, int64_t row);

int64_t CountLines(const std::string& path);

// A 30-minute token for every service, signed with the operator's key: the demos act as the
// officers of their scenario. "" when the key cannot sign.
std::string MintDemoToken(const std::string& key_pem, const std::string& subject, const std::string& roles,
                          const std::vector<std::string>& scope = {});
// The PEM text of --private_key, or "" (with a message on stderr naming `what`).
std::string ReadPrivateKey(const Args& a, const char* what);

class Progress {
 public:
  // `noun`: what is counted ("lines" of a file, "households" of a simulation).
  Progress(int64_t total, bool tty, const char* noun = "lines")
      : total_(total), tty_(tty), noun_(noun), start_(absl::Now()) {}
  void Update(int64_t done, bool final = false);
  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

 private:
  int64_t total_;
  bool tty_;
  const char* noun_;
  absl::Time start_, last_ = absl::InfinitePast();
};

// Prints an import's summary and its first errors (local parse errors, then the service's
// per-row errors); returns the exit code: 3 when any row failed, else 0.
template <typename ImportResponse>
int ReportImport(const std::string& id, const char* noun, const ImportResponse& resp, int64_t local_failed,
                 const std::vector<std::string>& local_errors, double seconds) {
  std::printf("import %s: %lld %s received, %lld committed, %lld already committed earlier, %lld failed"
              " in %.1fs (%.0f %s/s)\n",
              id.c_str(), static_cast<long long>(resp.rows_received()), noun,
              static_cast<long long>(resp.rows_committed()), static_cast<long long>(resp.rows_already_done()),
              static_cast<long long>(resp.rows_failed() + local_failed), seconds,
              resp.rows_received() / std::max(1e-3, seconds), noun);
  for (const auto& e : local_errors) std::printf("  %s\n", e.c_str());
  for (int i = 0; i < resp.errors_size() && i < 20; ++i) {
    std::printf("  line %lld: %s: %s\n", static_cast<long long>(resp.errors(i).row_number()),
                resp.errors(i).field().c_str(), resp.errors(i).message().c_str());
  }
  return (resp.rows_failed() + local_failed) > 0 ? 3 : 0;
}

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_
