#ifndef LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_
#define LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_

// What every lnobctl command that calls a service shares: the bearer token, the call
// context, the import id of a file and the progress bar.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/lnobctl/args.h"

namespace grpc {
class ClientContext;
}

namespace lnob::ctl {

// --token, else the first line of --token_file.
std::string Token(Args& a);
std::unique_ptr<grpc::ClientContext> Context(const std::string& token);

// The import id of a file: a UUID-shaped digest of its bytes, so that running the same file
// again resumes (and re-creates nothing) unless --import_id says otherwise.
std::string FileImportId(const std::string& path);

int64_t CountLines(const std::string& path);

class Progress {
 public:
  Progress(int64_t total, bool tty) : total_(total), tty_(tty), start_(absl::Now()) {}
  void Update(int64_t done, bool final = false);
  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

 private:
  int64_t total_;
  bool tty_;
  absl::Time start_, last_ = absl::InfinitePast();
};

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_CLIENT_UTIL_H_
