#include "services/gateway/api/http_server.h"

#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cctype>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace lnob::gateway {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// What Stop() needs of a connection; both run on the connection's io thread.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void CloseIfIdle() = 0;
  virtual void ForceClose() = 0;
  // Since when the connection waits for a request (steady nanoseconds); 0 while it handles one.
  std::atomic<int64_t> idle_since{0};
};

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Subject CN of the peer's (already verified) certificate; empty when there is none.
std::string PeerCommonName(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return "";
  std::string cn;
  X509_NAME* name = X509_get_subject_name(cert);
  if (const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0) {
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (len > 0) cn.assign(reinterpret_cast<const char*>(utf8), std::min(len, 128));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return cn;
}

// State shared by the acceptor and every connection. Declaration order matters: the
// io_contexts are destroyed before what their pending handlers (connections) still use.
struct ServerCore {
  ServerCore(HttpServerOptions o, HttpHandler h) : options(std::move(o)), handler(std::move(h)) {
    for (int i = 0; i < std::max(1, options.threads); ++i) iocs.push_back(std::make_unique<net::io_context>(1));
  }

  const HttpServerOptions options;
  const HttpHandler handler;
  absl::Mutex mu;
  int active ABSL_GUARDED_BY(mu) = 0;  // requests received and not yet answered
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions ABSL_GUARDED_BY(mu);
  std::atomic<bool> stopping{false};
  std::unique_ptr<ssl::context> ssl_ctx;  // outlives the TLS streams that refer to it
  // One io_context per io thread: a connection lives on one of them, so its handlers never
  // run concurrently (no strand) and the threads share no queue. The acceptor is on the first.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  size_t next_ioc = 0;  // the accepting thread only
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry;
  std::vector<std::thread> threads;
  bool started = false;
  bool shut_down = false;

  void RequestStarted() {
    absl::MutexLock l(&mu);
    ++active;
  }
  void RequestEnded() {
    absl::MutexLock l(&mu);
    --active;
  }
  void Add(SessionBase* s, std::weak_ptr<SessionBase> weak) {
    absl::MutexLock l(&mu);
    sessions.emplace(s, std::move(weak));
  }
  void Remove(SessionBase* s) {
    absl::MutexLock l(&mu);
    sessions.erase(s);
  }
  // Room for one more connection: true when under the cap, else after asking the
  // longest-idle connection to close; false when every connection is busy.
  bool MakeRoom() {
    std::shared_ptr<SessionBase> victim;
    {
      absl::MutexLock l(&mu);
      if (sessions.size() < options.max_connections) return true;
      int64_t oldest = 0;
      for (auto& [ptr, weak] : sessions) {
        const int64_t since = ptr->idle_since.load();
        if (since != 0 && (oldest == 0 || since < oldest)) {
          if (auto s = weak.lock()) {
            oldest = since;
            victim = std::move(s);
          }
        }
      }
    }
    if (victim == nullptr) return false;
    victim->idle_since.store(0);  // not picked twice
    victim->CloseIfIdle();
    return true;
  }
  std::vector<std::shared_ptr<SessionBase>> LiveSessions() {
    std::vector<std::shared_ptr<SessionBase>> live;
    absl::MutexLock l(&mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    return live;
  }
};

// One connection: read a request, hand it to the handler, write its reply when it comes,
// and again while the client keeps the connection alive. Every step runs on the
// connection's io thread; the reply is sent back to it from whichever thread produced it.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Session(ServerCore* core, tcp::socket&& socket, Args&... args) : core_(core), stream_(std::move(socket), args...) {
    beast::error_code ec;
    const auto remote = Lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string();
  }
  ~Session() override { core_->Remove(this); }

  void Run() {
    core_->Add(this, this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void CloseIfIdle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->Lowest().cancel();  // the pending read ends, then the connection
    });
  }
  void ForceClose() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Lowest().close(); });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::nanoseconds Timeout() const { return absl::ToChronoNanoseconds(core_->options.request_timeout); }

  void Begin() {
    idle_since.store(SteadyNanos());
    if constexpr (kTls) {
      Lowest().expires_after(Timeout());
      stream_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      Read();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // No client certificate, an untrusted one, plain HTTP on the TLS port, a scanner.
      log::Write(log::Severity::kDebug, "tls handshake refused", {{"error", ec.message()}});
      Lowest().close();
      return;
    }
    handshaken_ = true;
    if constexpr (kTls) {
      if (core_->options.tls.mutual()) client_cn_ = PeerCommonName(stream_.native_handle());
    }
    Read();
  }

  // Headers first, within header_timeout: the precheck may refuse the request before a byte
  // of its body is read.
  void Read() {
    if (core_->stopping.load()) return Close();
    idle_since.store(SteadyNanos());
    parser_.emplace();
    parser_->body_limit(core_->options.max_body_bytes);
    Lowest().expires_after(std::min(Timeout(), absl::ToChronoNanoseconds(core_->options.header_timeout)));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    idle_since.store(0);
    // A Content-Length above the limit is known from the headers already.
    const bool too_large = ec == http::error::body_limit;
    if (ec && !too_large) return Close();  // end of stream, timeout, stop, eviction, malformed request
    auto& msg = parser_->get();
    pending_ = HttpRequest();
    pending_.method = std::string(msg.method_string());
    pending_.target = std::string(msg.target());
    for (const auto& h : msg) {
      std::string name(h.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!name.empty() && name[0] != ':') pending_.headers[name] = std::string(h.value());
    }
    if (!remote_.empty()) pending_.headers[":remote"] = remote_;
    if (!client_cn_.empty()) pending_.headers[":client-cn"] = client_cn_;
    version_ = msg.version();
    if (core_->options.precheck) {
      if (std::optional<HttpReply> refused = core_->options.precheck(pending_); refused.has_value()) {
        keep_alive_ = false;  // the body stays unread
        unread_body_ = true;
        parser_.reset();
        busy_ = true;
        core_->RequestStarted();
        return Write(*std::move(refused));
      }
    }
    if (too_large) return Dispatch(true);
    Lowest().expires_after(Timeout());
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    const bool too_large = ec == http::error::body_limit;
    if (ec && !too_large) return Close();  // end of stream, timeout, stop, malformed request
    Dispatch(too_large);
  }

  // The request (headers in pending_, body in the parser unless too large) to the handler.
  void Dispatch(bool too_large) {
    auto& msg = parser_->get();
    HttpRequest req = std::move(pending_);
    if (!too_large) req.body = std::move(msg.body());
    req.body_too_large = too_large;
    keep_alive_ = msg.keep_alive() && !too_large;  // an unread body cannot be skipped
    unread_body_ = too_large;
    parser_.reset();
    busy_ = true;
    core_->RequestStarted();
    Lowest().expires_never();  // the handler's own deadline applies while it works
    auto self = this->shared_from_this();
    core_->handler(std::move(req), [self](HttpReply reply) {
      // Inline when the reply is made on the connection's own thread (no backend call).
      net::dispatch(self->stream_.get_executor(),
                    [self, reply = std::move(reply)]() mutable { self->Write(std::move(reply)); });
    });
  }

  void Write(HttpReply reply) {
    res_.emplace(static_cast<http::status>(reply.status), version_);
    res_->set(http::field::content_type, reply.content_type);
    // Answers may carry personal data (Decree 13/2023): no shared or browser cache keeps them.
    res_->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : reply.headers) res_->set(name, value);
    res_->keep_alive(keep_alive_ && !core_->stopping.load());
    res_->body() = std::move(reply.body);
    res_->prepare_payload();
    Lowest().expires_after(Timeout());
    http::async_write(stream_, *res_, beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    const bool again = !ec && res_->keep_alive();
    res_.reset();
    busy_ = false;
    core_->RequestEnded();
    if (!again) return Close();
    Read();
  }

  void Close() {
    if (closing_) return;
    closing_ = true;
    if constexpr (kTls) {
      if (handshaken_) {
        // close_notify; a peer that never answers it gets a second.
        Lowest().expires_after(std::chrono::seconds(1));
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Lowest().close(); });
        return;
      }
    }
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (unread_body_) return Discard();  // closing with unread input would reset the answer
    Lowest().close();
  }

  // Lingering close: the client may still be sending the body we refused; read and drop it
  // for a moment so that it receives our answer instead of a reset.
  void Discard() {
    Lowest().expires_after(std::chrono::seconds(2));
    Lowest().async_read_some(net::buffer(scratch_), [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->Lowest().close();
        return;
      }
      self->Discard();
    });
  }

  ServerCore* const core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  HttpRequest pending_;  // the request whose headers were read and whose body is being read
  bool unread_body_ = false;  // the last request's body was refused unread
  std::array<char, 16384> scratch_;
  std::string remote_, client_cn_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool busy_ = false;  // a request was received and its reply is not written yet
  bool closing_ = false;
  bool handshaken_ = false;
};

void Accept(ServerCore* core) {
  net::io_context& home = *core->iocs[core->next_ioc++ % core->iocs.size()];
  core->acceptor->async_accept(net::any_io_executor(home.get_executor()), [core](beast::error_code ec,
                                                                                  tcp::socket socket) {
    if (core->stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      // Typically out of file descriptors: retry shortly rather than spin.
      core->accept_retry->expires_after(std::chrono::milliseconds(50));
      core->accept_retry->async_wait([core](beast::error_code wait_ec) {
        if (!wait_ec && !core->stopping.load()) Accept(core);
      });
      return;
    }
    beast::error_code ignored;
    if (!core->MakeRoom()) {  // every connection is busy: this one is refused
      socket.close(ignored);
      Accept(core);
      return;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    if (core->ssl_ctx) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(core, std::move(socket), *core->ssl_ctx)->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(core, std::move(socket))->Run();
    }
    Accept(core);
  });
}

absl::StatusOr<std::unique_ptr<ssl::context>> MakeSslContext(const TlsConfig& tls) {
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain(net::buffer(tls.cert_chain_pem));
    ctx->use_private_key(net::buffer(tls.private_key_pem), ssl::context::pem);
    if (tls.mutual()) {
      ctx->add_certificate_authority(net::buffer(tls.client_ca_pem));
      ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      // Required by OpenSSL for session resumption once client certificates are verified.
      static constexpr unsigned char kSessionContext[] = "lnob-gateway";
      SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext, sizeof(kSessionContext) - 1);
    }
    return ctx;
  } catch (const boost::system::system_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("TLS: ", e.what()));
  }
}

}  // namespace

struct HttpServer::Core : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : core_(std::make_unique<Core>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Shutdown(); }

absl::Status HttpServer::Start() {
  Core& c = *core_;
  if (c.options.tls.enabled()) {
    auto ctx = MakeSslContext(c.options.tls);
    if (!ctx.ok()) return ctx.status();
    c.ssl_ctx = *std::move(ctx);
  }
  try {
    const tcp::endpoint endpoint{net::ip::make_address(c.options.listen_host),
                                 static_cast<unsigned short>(c.options.port)};
    c.acceptor = std::make_unique<tcp::acceptor>(*c.iocs[0], endpoint);
    port_ = c.acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", c.options.listen_host, ":", c.options.port, ": ", e.what()));
  }
  c.accept_retry = std::make_unique<net::steady_timer>(c.acceptor->get_executor());
  for (auto& ioc : c.iocs) c.work.push_back(net::make_work_guard(*ioc));
  Accept(&c);
  for (auto& ioc : c.iocs) {
    c.threads.emplace_back([&c, ioc = ioc.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          log::Error("http io thread: unhandled exception", {{"error", e.what()}});
        }
      }
    });
  }
  c.started = true;
  return absl::OkStatus();
}

bool HttpServer::Drain(absl::Duration timeout) {
  Core& c = *core_;
  if (!c.started) return true;
  if (!c.stopping.exchange(true)) {
    net::post(c.acceptor->get_executor(), [&c] {
      beast::error_code ignored;
      c.acceptor->close(ignored);
      c.accept_retry->cancel();
    });
  }
  for (auto& s : c.LiveSessions()) s->CloseIfIdle();
  absl::MutexLock l(&c.mu);
  auto idle = [&c]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu) { return c.active == 0; };
  return c.mu.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

void HttpServer::Shutdown() {
  Core& c = *core_;
  if (!c.started || c.shut_down) return;
  c.shut_down = true;
  Drain(absl::ZeroDuration());
  for (auto& s : c.LiveSessions()) s->ForceClose();
  {
    // The closes run on the io threads; give them a moment before stopping those.
    absl::MutexLock l(&c.mu);
    auto gone = [&c]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu) { return c.sessions.empty(); };
    c.mu.AwaitWithTimeout(absl::Condition(&gone), absl::Seconds(2));
  }
  c.work.clear();
  for (auto& ioc : c.iocs) ioc->stop();
  for (auto& t : c.threads) t.join();
  c.threads.clear();
}

}  // namespace lnob::gateway
