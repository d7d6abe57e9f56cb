// Read latency at a fixed request rate (open loop: latency counts from each request's
// scheduled time, so a stall is not hidden), and statistics latency.
//   read_bench --target=HOST:PORT --token=JWT [--rate=200] [--seconds=20]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace v1 = lnob::registry::v1;
using Clock = std::chrono::steady_clock;

using lnob::bench::Arg;
using lnob::bench::Percentile;

namespace {

template <typename Call>
void FixedRate(const char* label, int rate, int seconds, int threads, Call call) {
  const int total = rate * seconds;
  std::vector<double> lat(total, 0);
  std::atomic<int> next{0}, errors{0};
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto interval = std::chrono::nanoseconds(1000000000LL / rate);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < total; i = next++) {
        const auto scheduled = start + interval * i;
        std::this_thread::sleep_until(scheduled);
        if (!call(i)) ++errors;
        lat[i] = std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count();
      }
    });
  }
  for (auto& t : pool) t.join();
  std::printf("%-34s rate %4d/s for %ds: p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %d\n", label, rate,
              seconds, Percentile(lat, 0.50), Percentile(lat, 0.99), Percentile(lat, 1.0), errors.load());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string target = Arg(argc, argv, "target", "127.0.0.1:50051");
  const std::string token = Arg(argc, argv, "token", "");
  const int rate = std::atoi(Arg(argc, argv, "rate", "200").c_str());
  const int seconds = std::atoi(Arg(argc, argv, "seconds", "20").c_str());
  auto stub = v1::HouseholdService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  auto ctx = [&](grpc::ClientContext* c) {
    c->AddMetadata("authorization", "Bearer " + token);
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  };
  // Sample households and the communes that have poor households.
  std::vector<std::string> names, communes;
  v1::ListHouseholdsRequest lreq;
  lreq.set_page_size(500);
  for (int page = 0; page < 8; ++page) {
    grpc::ClientContext c;
    ctx(&c);
    v1::ListHouseholdsResponse lresp;
    if (!stub->ListHouseholds(&c, lreq, &lresp).ok()) break;
    for (const auto& h : lresp.households()) {
      names.push_back(h.name());
      communes.push_back(h.commune_code());
    }
    if (lresp.next_page_token().empty()) break;
    lreq.set_page_token(lresp.next_page_token());
  }
  if (names.empty()) {
    std::fprintf(stderr, "read_bench: no households to read\n");
    return 1;
  }
  std::sort(communes.begin(), communes.end());
  communes.erase(std::unique(communes.begin(), communes.end()), communes.end());
  // Warm-up
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext c;
    ctx(&c);
    v1::GetHouseholdRequest r;
    r.set_name(names[i % names.size()]);
    v1::Household h;
    stub->GetHousehold(&c, r, &h);
  }
  FixedRate("GetHousehold", rate, seconds, 4, [&](int i) {
    grpc::ClientContext c;
    ctx(&c);
    v1::GetHouseholdRequest r;
    r.set_name(names[(i * 7919) % names.size()]);
    v1::Household h;
    return stub->GetHousehold(&c, r, &h).ok();
  });
  FixedRate("ListHouseholds(commune, POOR)", rate, seconds, 4, [&](int i) {
    grpc::ClientContext c;
    ctx(&c);
    v1::ListHouseholdsRequest r;
    r.set_unit_code(communes[i % communes.size()]);
    r.set_classification(v1::POOR);
    r.set_page_size(50);
    v1::ListHouseholdsResponse resp;
    return stub->ListHouseholds(&c, r, &resp).ok();
  });
  std::vector<double> stats;
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext c;
    ctx(&c);
    v1::GetStatisticsRequest r;
    r.set_year(2023);
    r.set_unit_code(i % 2 ? "70" : "");
    r.set_by_child_unit(i % 2);
    *r.mutable_as_of() = google::type::Date();
    if (i % 2) {
      r.mutable_as_of()->set_year(2023);
      r.mutable_as_of()->set_month(12);
      r.mutable_as_of()->set_day(31);
    }
    v1::Statistics s;
    const auto t0 = Clock::now();
    if (!stub->GetStatistics(&c, r, &s).ok()) return 1;
    stats.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::printf("%-34s 30 calls: p50 %.2f ms  p99 %.2f ms\n", "GetStatistics(2023, province)", Percentile(stats, 0.5),
              Percentile(stats, 0.99));
  // A quarter is computed from the classification history (no snapshot holds it): its cost
  // next to the year's above.
  std::vector<double> quarters;
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext c;
    ctx(&c);
    v1::GetStatisticsRequest r;
    r.set_unit_code("70");
    r.set_by_child_unit(true);
    r.mutable_period()->set_type(lnob::common::v1::Period::QUARTER);
    r.mutable_period()->set_year(2023);
    r.mutable_period()->set_index(i % 4 + 1);
    r.mutable_as_of()->set_year(2023);
    r.mutable_as_of()->set_month(12);
    r.mutable_as_of()->set_day(31);
    v1::Statistics s;
    const auto t0 = Clock::now();
    if (!stub->GetStatistics(&c, r, &s).ok()) return 1;
    quarters.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::printf("%-34s 10 calls: p50 %.2f ms  p99 %.2f ms\n", "GetStatistics(2023 Qn, province)",
              Percentile(quarters, 0.5), Percentile(quarters, 0.99));
  return 0;
}
