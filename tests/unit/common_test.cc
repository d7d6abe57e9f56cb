// Status mapping, page tokens, etags, trace context, log format, config validation.

#include <atomic>

#include "absl/strings/match.h"
#include "common/api/page_token.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/import_stream.h"
#include "common/api/request_id.h"
#include "common/db/idempotency.h"
#include "common/db/sqlstate.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/server/config.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/periodic.h"
#include "common/util/sha256.h"
#include "common/util/text.h"
#include "common/util/zip.h"
#include "google/rpc/error_details.pb.h"
#include "lnob/registry/v1/households.pb.h"
#include "lnob/registry/v1/reference_data.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace lnob {
namespace {

TEST(PeriodLabel, ParsesWhatItPrints) {
  for (const char* label : {"2025", "2025-Q3", "2025-H1", "2025-07", "2024-12"}) {
    auto p = api::ParsePeriodLabel(label, "period");
    ASSERT_TRUE(p.ok()) << label << ": " << p.status();
    EXPECT_EQ(api::PeriodLabel(*p), label);
  }
  for (const char* bad : {"", "25", "2025-Q5", "2025-13", "2025-X1", "2025-H3", "abcd"}) {
    EXPECT_EQ(api::ParsePeriodLabel(bad, "period").status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Sha256Hex, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Zip, StoredEntriesWithTheirCrcAndADirectoryAtTheEnd) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the check value of CRC-32/ISO-HDLC
  ZipWriter zip(absl::FromUnixSeconds(1733443200));  // 2024-12-06
  zip.Add("01_tờ_trình.txt", "Kính gửi");
  zip.Add("b.txt", "");
  const std::string z = zip.Finish();
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(z[at])) |
           static_cast<uint32_t>(static_cast<unsigned char>(z[at + 1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(z[at + 2])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(z[at + 3])) << 24;
  };
  EXPECT_EQ(u32(0), 0x04034b50u);
  EXPECT_EQ(u32(14), Crc32("Kính gửi"));
  // The end record: two entries, and where the directory starts.
  const size_t end = z.size() - 22;
  EXPECT_EQ(u32(end), 0x06054b50u);
  EXPECT_EQ(z[end + 10], 2);
  EXPECT_EQ(u32(u32(end + 16)), 0x02014b50u);
}

TEST(FoldName, IgnoresVietnameseMarksCaseApostrophesHyphensAndSpacing) {
  EXPECT_EQ(FoldName("Sóc Bù Lạch"), "soc bu lach");
  EXPECT_EQ(FoldName("  SÓC   BÙ  LẠCH "), "soc bu lach");
  EXPECT_EQ(FoldName("Ấp Phú Lộc"), FoldName("ap phu loc"));
  EXPECT_EQ(FoldName("Đắk Ơ"), "dak o");
  EXPECT_EQ(FoldName("M'Nông"), "mnong");
  EXPECT_EQ(FoldName("M’nông"), "mnong");
  EXPECT_EQ(FoldName("Bù-Gia-Mập"), "bugiamap");
  // Decomposed input (a base letter and combining marks) folds like the precomposed one.
  EXPECT_EQ(FoldName("So\u0301c"), "soc");
  EXPECT_NE(FoldName("Sóc Bom Bo"), FoldName("Sóc Bù Lạch"));
}

TEST(Status, FieldViolationSurvivesGrpcRoundTrip) {
  Violations v;
  v.Add("area_classification.unit_code", "must be a 2-5 digit GSO code");
  v.Add("request_id", "must be a UUID");
  absl::Status st = v.Status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  grpc::Status g = ToGrpcStatus(st);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  bool found_bad_request = false;
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br)) {
      found_bad_request = true;
      ASSERT_EQ(br.field_violations_size(), 2);
      EXPECT_EQ(br.field_violations(0).field(), "area_classification.unit_code");
    }
  }
  EXPECT_TRUE(found_bad_request);
  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(GetFieldViolations(back).size(), 2u);
  EXPECT_EQ(GetReason(back).value_or(""), "INVALID_FIELD");
}

TEST(Status, CodeNamesAndHttpTable) {
  EXPECT_STREQ(CodeName(absl::StatusCode::kNotFound), "NotFound");
  EXPECT_STREQ(CodeName(absl::StatusCode::kInvalidArgument), "InvalidArgument");
  EXPECT_STREQ(CodeName(absl::StatusCode::kCancelled), "Canceled");
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusForCode(absl::StatusCode::kUnavailable), 503);
}

TEST(SqlState, MapsToSpecificCodes) {
  EXPECT_EQ(db::StatusFromSqlState("23505", "x_key").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(db::StatusFromSqlState("23505", "x_key").message(), "x_key"));
  EXPECT_EQ(db::StatusFromSqlState("23P01").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db::StatusFromSqlState("40001").code(), absl::StatusCode::kAborted);
  EXPECT_EQ(db::StatusFromSqlState("08006").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(db::StatusFromSqlState("57P01").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(db::StatusFromSqlState("22007").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db::StatusFromSqlState("XX000").code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(db::IsRetryableSqlState("40P01"));
  EXPECT_FALSE(db::IsRetryableSqlState("23505"));
}

TEST(PageToken, RoundTripAndTamperAndMismatch) {
  api::PageTokenCodec codec("0123456789abcdef-secret");
  const std::string tok = codec.Encode("units|2026-01-01||", "25195");
  auto key = codec.Decode(tok, "units|2026-01-01||");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "25195");
  // same token, other filter
  auto other = codec.Decode(tok, "units|2023-01-01||");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(other.status()).at(0).field, "page_token");
  // flip one character
  std::string bad = tok;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(codec.Decode(bad, "units|2026-01-01||").status().code(),
            absl::StatusCode::kInvalidArgument);
  // another server secret
  api::PageTokenCodec other_codec("another-secret-0123456789");
  EXPECT_FALSE(other_codec.Decode(tok, "units|2026-01-01||").ok());
  EXPECT_EQ(*codec.Decode("", "anything"), "");
  EXPECT_FALSE(codec.Decode("!!!", "x").ok());
}

// Page tokens are bound to the request's filters, derived from the request itself.
TEST(PageToken, BoundToTheRequestNotToItsPaging) {
  api::PageTokenCodec codec("test-secret-0123456789");
  registry::v1::ListAdminUnitsRequest req;
  req.set_parent_code("70");
  req.set_page_size(2);
  std::vector<std::string> all = {"a", "b", "c", "d", "e"};
  auto fetch = [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> out;
    for (const auto& x : all) {
      if (x > after && static_cast<int>(out.size()) < limit) out.push_back(x);
    }
    return out;
  };
  auto id = [](const std::string& x) { return x; };
  std::string next;
  auto first = api::FetchPage<std::string>(codec, req, fetch, id, &next);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (std::vector<std::string>{"a", "b"}));
  ASSERT_FALSE(next.empty());
  // The same filters with another page size continue where the token points.
  req.set_page_token(next);
  req.set_page_size(10);
  std::string last;
  auto rest = api::FetchPage<std::string>(codec, req, fetch, id, &last);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_TRUE(last.empty());
  // Another filter refuses the token, naming page_token.
  req.set_parent_code("75");
  auto refused = api::FetchPage<std::string>(codec, req, fetch, id, &last);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(refused.status()).at(0).field, "page_token");
}

TEST(PageSize, Normalizes) {
  EXPECT_EQ(*api::NormalizePageSize(0), 100);
  EXPECT_EQ(*api::NormalizePageSize(5000), 1000);
  EXPECT_EQ(api::NormalizePageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Etag, MismatchIsAborted) {
  EXPECT_TRUE(api::CheckEtag("", 3).ok());
  EXPECT_TRUE(api::CheckEtag(api::EtagForVersion(3), 3).ok());
  EXPECT_EQ(api::CheckEtag(api::EtagForVersion(2), 3).code(), absl::StatusCode::kAborted);
}

TEST(RequestId, MustBeUuid) {
  EXPECT_TRUE(api::ValidateRequestId("").ok());
  EXPECT_TRUE(api::ValidateRequestId("123e4567-e89b-12d3-a456-426614174000").ok());
  EXPECT_FALSE(api::ValidateRequestId("123e4567e89b12d3a456426614174000").ok());
  EXPECT_NE(api::RequestHash("A", "x"), api::RequestHash("B", "x"));
}

TEST(Trace, ContinuesValidTraceparentAndStartsOtherwise) {
  auto tc = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(tc.has_value());
  EXPECT_EQ(tc->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(tc->parent_id, "00f067aa0ba902b7");
  const std::string child = tc->ChildTraceparent();
  EXPECT_TRUE(absl::StartsWith(child, "00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  EXPECT_FALSE(absl::StrContains(child, "00f067aa0ba902b7"));  // our span becomes the parent
  EXPECT_FALSE(ParseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("garbage"));
  TraceContext fresh = ContinueOrStartTrace("");
  EXPECT_EQ(fresh.trace_id.size(), 32u);
  EXPECT_EQ(fresh.span_id.size(), 16u);
}

TEST(Log, OneJsonObjectPerLineWithEscaping) {
  std::string line = log::Format("2026-01-01T00:00:00.000Z", log::Severity::kWarning, "registry",
                                 "say \"hi\"\n", "req1", "trace1", {{"grpc_code", "OK"}});
  EXPECT_EQ(line,
            "{\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"severity\":\"WARNING\",\"service\":"
            "\"registry\",\"message\":\"say \\\"hi\\\"\\n\",\"request_id\":\"req1\",\"trace_id\":"
            "\"trace1\",\"grpc_code\":\"OK\"}\n");
}

TEST(Config, ValidationNamesEveryBadFlag) {
  server::ServerConfig c;
  c.service = "registry";
  c.grpc_port = 70000;
  c.page_token_secret = "short";
  absl::Status st = c.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(absl::StrContains(st.message(), "--grpc_port"));
  EXPECT_TRUE(absl::StrContains(st.message(), "--database_url"));
  EXPECT_TRUE(absl::StrContains(st.message(), "--jwt_public_keys"));
  EXPECT_TRUE(absl::StrContains(st.message(), "--page_token_secret"));
  c.grpc_port = 50051;
  c.metrics_port = 9101;
  c.database_url = "host=x";
  c.jwt_public_keys_file = "/k.pem";
  c.page_token_secret = "0123456789abcdef";
  EXPECT_TRUE(c.Validate().ok()) << c.Validate();
}

TEST(Dates, StrictParsing) {
  EXPECT_TRUE(ParseDate("2025-07-01").ok());
  EXPECT_FALSE(ParseDate("2025-02-30").ok());
  EXPECT_FALSE(ParseDate("2025-7-1").ok());
  google::type::Date d;
  d.set_year(2025);
  d.set_month(2);
  d.set_day(30);
  auto r = api::FromProtoDate(d, "as_of");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(r.status()).at(0).field, "as_of");
}

}  // namespace
}  // namespace lnob

#include "common/server/downstream.h"

namespace lnob {
namespace {

TEST(Downstream, PropagatesTraceRequestIdTokenAndDeadline) {
  server::Call call;
  call.request_id = "req-1";
  call.trace = *ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  call.deadline = absl::Now() + absl::Seconds(5);
  grpc::ClientContext ctx;
  server::PrepareDownstream(call, "Bearer x", &ctx);
  const auto remaining = ctx.deadline() - std::chrono::system_clock::now();
  EXPECT_GT(remaining, std::chrono::seconds(3));
  EXPECT_LE(remaining, std::chrono::seconds(5));
}

}  // namespace
}  // namespace lnob

namespace lnob {
namespace {

// PeriodicTask follows the injected clock, not the wall clock.
TEST(PeriodicTask, RunsOnTheInjectedClock) {
  FakeClock clock(absl::FromUnixSeconds(1780000000));
  std::atomic<int> runs{0};
  PeriodicTask task(clock, absl::Minutes(1), [&] { ++runs; }, absl::Milliseconds(5));
  auto wait_for = [&](int n) {
    for (int i = 0; i < 400 && runs.load() < n; ++i) absl::SleepFor(absl::Milliseconds(5));
    return runs.load();
  };
  EXPECT_EQ(wait_for(1), 1);  // at once
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(runs.load(), 1);  // real time passing is not enough
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(wait_for(2), 2);
  task.Stop();
  clock.Advance(absl::Minutes(5));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(runs.load(), 2);  // stopped

  // Deferred: the first run waits one interval.
  std::atomic<int> later{0};
  PeriodicTask deferred(clock, absl::Minutes(1), [&] { ++later; }, absl::Milliseconds(5), /*run_at_once=*/false);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(later.load(), 0);
  clock.Advance(absl::Minutes(1));
  for (int i = 0; i < 400 && later.load() < 1; ++i) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(later.load(), 1);
}

}  // namespace
}  // namespace lnob

namespace lnob {
namespace {

TEST(ImportStream, HeaderReportAndOrderedBatches) {
  api::ImportHeader header;
  EXPECT_EQ(header.Finish().code(), absl::StatusCode::kInvalidArgument);  // no message at all
  EXPECT_EQ(GetFieldViolations(header.Accept("not-a-uuid")).at(0).field, "import_id");
  const std::string id = "0190c0de-0000-7000-8000-000000000001";
  ASSERT_TRUE(header.Accept(id).ok());
  EXPECT_TRUE(header.Accept("").ok());  // later messages may omit it
  EXPECT_FALSE(header.Accept("0190c0de-0000-7000-8000-000000000002").ok());
  EXPECT_TRUE(header.Finish().ok());

  registry::v1::ImportHouseholdsResponse out;
  api::ImportReport<registry::v1::ImportHouseholdsResponse> report(&out, 2);
  for (int i = 1; i <= 3; ++i) report.Failed(i, "f", "bad");
  EXPECT_EQ(out.rows_failed(), 3);   // every refusal counts
  EXPECT_EQ(out.errors_size(), 2);   // the list is capped

  std::vector<int> written;
  api::BatchWriter<int> writer(
      [&](std::vector<int> rows) -> absl::StatusOr<api::BatchOutcome> {
        if (rows.front() < 0) return absl::UnavailableError("database down");
        written.insert(written.end(), rows.begin(), rows.end());
        return api::BatchOutcome{static_cast<int64_t>(rows.size()), 0, {{rows.front(), "x", "refused"}}};
      },
      [&](const api::BatchOutcome& b) { report.Add(b); });
  ASSERT_TRUE(writer.Submit({1, 2}).ok());
  ASSERT_TRUE(writer.Submit({3}).ok());
  ASSERT_TRUE(writer.Drain().ok());
  EXPECT_EQ(written, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(out.rows_committed(), 3);
  EXPECT_EQ(out.rows_failed(), 5);
  ASSERT_TRUE(writer.Submit({-1}).ok());
  EXPECT_EQ(writer.Drain().code(), absl::StatusCode::kUnavailable);  // a failed batch ends the import
}

}  // namespace
}  // namespace lnob
