// Load generator for the gateway benchmark: GetHousehold over REST (HTTP/1.1 keep-alive,
// one connection per worker) or over gRPC (one channel per worker), either at a fixed rate
// (open loop: latency counts from each request's scheduled time) or as fast as the workers
// can go (closed loop: maximum throughput).
//   gateway_bench --mode=rest|grpc --target=HOST:PORT --token=JWT --ids=FILE
//                 [--rate=500 --seconds=20 | --max --seconds=10] [--workers=16] [--label=TEXT]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/bench_util.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/households.grpc.pb.h"

namespace v1 = lnob::registry::v1;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using lnob::bench::Arg;
using lnob::bench::Percentile;

namespace {

// One worker's connection: a GetHousehold call by index into the id list.
class Caller {
 public:
  virtual ~Caller() = default;
  virtual bool Call(const std::string& id) = 0;
};

class RestCaller : public Caller {
 public:
  RestCaller(const std::string& host, const std::string& port, const std::string& token)
      : host_(host), port_(port), token_(token), stream_(ioc_) {}
  bool Call(const std::string& id) override {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!connected_) {
          tcp::resolver resolver(ioc_);
          stream_.connect(resolver.resolve(host_, port_));
          connected_ = true;
        }
        http::request<http::empty_body> req{http::verb::get, "/v1/households/" + id, 11};
        req.set(http::field::host, host_);
        req.set(http::field::authorization, "Bearer " + token_);
        req.keep_alive(true);
        http::write(stream_, req);
        http::response<http::string_body> resp;
        http::read(stream_, buffer_, resp);
        if (!resp.keep_alive()) Reset();
        return resp.result_int() == 200;
      } catch (const std::exception&) {
        Reset();  // the server closed an idle connection: reconnect once
      }
    }
    return false;
  }

 private:
  void Reset() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    connected_ = false;
  }
  std::string host_, port_, token_;
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

class GrpcCaller : public Caller {
 public:
  GrpcCaller(const std::string& target, const std::string& token, int index) : token_(token) {
    grpc::ChannelArguments args;
    args.SetInt("lnob.bench.channel", index);  // a distinct channel (connection) per worker
    stub_ = v1::HouseholdService::NewStub(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
  bool Call(const std::string& id) override {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetHouseholdRequest req;
    req.set_name("households/" + id);
    v1::Household resp;
    return stub_->GetHousehold(&ctx, req, &resp).ok();
  }

 private:
  std::string token_;
  std::unique_ptr<v1::HouseholdService::Stub> stub_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = Arg(argc, argv, "mode", "rest");
  const std::string target = Arg(argc, argv, "target", "127.0.0.1:8080");
  const std::string token = Arg(argc, argv, "token", "");
  const std::string label = Arg(argc, argv, "label", mode + " " + target);
  const int seconds = std::stoi(Arg(argc, argv, "seconds", "20"));
  const int workers = std::stoi(Arg(argc, argv, "workers", "16"));
  const bool max = Arg(argc, argv, "max", "") == "true";
  const int rate = std::stoi(Arg(argc, argv, "rate", "500"));
  std::vector<std::string> ids;
  {
    std::ifstream in(Arg(argc, argv, "ids", ""));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) ids.push_back(line);
    }
  }
  if (ids.empty() || token.empty()) {
    std::fprintf(stderr, "gateway_bench: --ids=FILE (household uuids) and --token are required\n");
    return 2;
  }
  const auto colon = target.rfind(':');
  std::vector<std::unique_ptr<Caller>> callers;
  for (int w = 0; w < workers; ++w) {
    if (mode == "rest") {
      callers.push_back(std::make_unique<RestCaller>(target.substr(0, colon), target.substr(colon + 1), token));
    } else {
      callers.push_back(std::make_unique<GrpcCaller>(target, token, w));
    }
  }
  for (auto& c : callers) c->Call(ids[0]);  // connect and warm up

  std::atomic<int64_t> next{0}, errors{0}, done{0};
  std::vector<std::thread> pool;
  if (max) {
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    for (int w = 0; w < workers; ++w) {
      pool.emplace_back([&, w] {
        while (Clock::now() < end) {
          const int64_t i = next++;
          if (!callers[w]->Call(ids[i % ids.size()])) ++errors;
          ++done;
        }
      });
    }
    for (auto& t : pool) t.join();
    std::printf("%-40s max throughput, %d workers, %ds: %.0f req/s  errors %lld\n", label.c_str(), workers, seconds,
                static_cast<double>(done.load()) / seconds, static_cast<long long>(errors.load()));
    return 0;
  }
  const int64_t total = static_cast<int64_t>(rate) * seconds;
  std::vector<double> lat(total, 0);
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto interval = std::chrono::nanoseconds(1000000000LL / rate);
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (int64_t i = next++; i < total; i = next++) {
        const auto scheduled = start + interval * i;
        std::this_thread::sleep_until(scheduled);
        if (!callers[w]->Call(ids[i % ids.size()])) ++errors;
        lat[i] = std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count();
      }
    });
  }
  for (auto& t : pool) t.join();
  std::printf("%-40s rate %4d/s for %ds: p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %lld\n", label.c_str(), rate,
              seconds, Percentile(lat, 0.50), Percentile(lat, 0.99), Percentile(lat, 1.0),
              static_cast<long long>(errors.load()));
  return 0;
}
