#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "lnob/funding/v1/funding.pb.h"
#include "lnob/registry/v1/households.pb.h"
#include "lnob/registry/v1/reference_data.pb.h"
#include "services/gateway/domain/rate_limiter.h"
#include "services/gateway/domain/routes.h"
#include "services/gateway/domain/transcoder.h"
#include "common/status/status.h"
#include "common/util/clock.h"

namespace lnob::gateway {
namespace {

TEST(PathTemplate, VariablesVerbsAndTails) {
  auto t = PathTemplate::Parse("/v1/{name=households/*/reviews/*}:approve");
  ASSERT_TRUE(t.ok()) << t.status();
  auto b = t->Match("/v1/households/abc/reviews/def:approve");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->at("name"), "households/abc/reviews/def");
  EXPECT_FALSE(t->Match("/v1/households/abc/reviews/def").has_value());
  EXPECT_FALSE(t->Match("/v1/households/abc/reviews/def:reject").has_value());
  EXPECT_FALSE(t->Match("/v1/households/abc:approve").has_value());
  auto plain = PathTemplate::Parse("/v1/households/{id}");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Match("/v1/households/x")->at("id"), "x");
  EXPECT_FALSE(plain->Match("/v1/households/x:move").has_value());
  auto tail = PathTemplate::Parse("/v1/{path=files/**}");
  EXPECT_EQ(tail->Match("/v1/files/a/b/c")->at("path"), "files/a/b/c");
  EXPECT_FALSE(PathTemplate::Parse("v1/x").ok());
  EXPECT_FALSE(PathTemplate::Parse("/v1/{name=a/*").ok());
}

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = lnob::registry::v1::AdminUnit::descriptor()->file()->pool();
    (void)lnob::registry::v1::Household::descriptor();
    auto t = RouteTable::FromPool(*pool_, {"lnob.registry.v1.ReferenceDataService", "lnob.registry.v1.HouseholdService"});
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = std::make_unique<RouteTable>(*std::move(t));
  }
  const google::protobuf::DescriptorPool* pool_;
  std::unique_ptr<RouteTable> table_;
};

TEST_F(RouteTableTest, EveryAnnotatedMethodIsRoutedAndTheMostSpecificWins) {
  EXPECT_GE(table_->routes().size(), 30u);
  auto get = table_->Find("GET", "/v1/adminUnits/25195");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->route->grpc_path, "/lnob.registry.v1.ReferenceDataService/GetAdminUnit");
  EXPECT_EQ(get->bindings.at("name"), "adminUnits/25195");
  auto trace = table_->Find("GET", "/v1/adminUnits/25195:trace");
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->route->method->name(), "TraceAdminUnit");
  auto classify = table_->Find("POST", "/v1/povertyStandards:classify");
  ASSERT_TRUE(classify.ok());
  EXPECT_EQ(classify->route->method->name(), "ClassifyProfile");
  EXPECT_EQ(table_->Find("DELETE", "/v1/adminUnits/25195").status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(table_->Find("GET", "/v1/nothing").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RouteTableTest, TwoMethodsOnOneRouteAreAStartUpError) {
  // Every service of the repository together: no route is bound twice.
  (void)lnob::funding::v1::SupportLine::descriptor();
  (void)lnob::campaigns::v1::Activity::descriptor();
  auto all = RouteTable::FromPool(*pool_, {"lnob.registry.v1.ReferenceDataService", "lnob.registry.v1.HouseholdService",
                                           "lnob.funding.v1.CatalogueService", "lnob.funding.v1.FundingService",
                                           "lnob.funding.v1.SupportService", "lnob.campaigns.v1.CampaignsService"});
  ASSERT_TRUE(all.ok()) << all.status();
  // GET /v1/statistics of two services (campaigns' first route): refused, naming both.
  auto route = [](std::string verb, std::string text, std::string grpc) {
    Route r;
    r.http_method = std::move(verb);
    r.template_text = std::move(text);
    r.grpc_path = std::move(grpc);
    return r;
  };
  absl::Status clash = CheckRoutesDistinct(
      {route("GET", "/v1/statistics", "/lnob.registry.v1.HouseholdService/GetStatistics"),
       route("GET", "/v1/statistics", "/lnob.campaigns.v1.CampaignsService/GetStatistics")});
  EXPECT_EQ(clash.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(clash.message().find("CampaignsService/GetStatistics"), std::string::npos) << clash;
  // Variable names do not make two templates different; another verb does.
  EXPECT_FALSE(CheckRoutesDistinct({route("GET", "/v1/{name=a/*}", "/x.S/A"), route("GET", "/v1/{id=a/*}", "/x.S/B")})
                   .ok());
  EXPECT_TRUE(CheckRoutesDistinct({route("GET", "/v1/{name=a/*}", "/x.S/A"), route("POST", "/v1/{name=a/*}", "/x.S/B")})
                  .ok());
}

TEST_F(RouteTableTest, IdempotencyComesFromTheMethodPolicy) {
  auto get = table_->Find("GET", "/v1/adminUnits/25195");
  ASSERT_TRUE(get.ok());
  EXPECT_TRUE(get->route->idempotent);
  auto update = table_->Find("PATCH", "/v1/households/0190c0de-0000-7000-8000-000000000001");
  ASSERT_TRUE(update.ok());
  EXPECT_FALSE(update->route->idempotent);  // UpdateHousehold: a repeat could overwrite a later change
}

TEST(RateLimiter, ChurnNeverResetsALimitedClient) {
  FakeClock clock(absl::FromUnixSeconds(1000000));
  RateLimiter limiter(clock, /*max_clients=*/3);
  EXPECT_EQ(limiter.Take("victim-attacker", 1, 2), 0);
  EXPECT_EQ(limiter.Take("victim-attacker", 1, 2), 0);
  EXPECT_GT(limiter.Take("victim-attacker", 1, 2), 0);  // out of tokens
  // New addresses fill the table, then share one overflow bucket: the limited client stays
  // limited, and the churners do not get a fresh burst each.
  EXPECT_EQ(limiter.Take("a1", 1, 2), 0);
  EXPECT_EQ(limiter.Take("a2", 1, 2), 0);
  int refused = 0;
  for (int i = 3; i < 10; ++i) refused += limiter.Take("a" + std::to_string(i), 1, 2) > 0;
  EXPECT_GE(refused, 5);
  EXPECT_GT(limiter.Take("victim-attacker", 1, 2), 0);
  EXPECT_LE(limiter.clients(), 4u);  // three clients and the overflow bucket
  // Idle clients (full buckets again) are dropped to make room.
  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(limiter.Take("newcomer", 1, 2), 0);
  EXPECT_LE(limiter.clients(), 3u);
}

TEST(RouteTimeouts, MethodBeatsServiceBeatsDefault) {
  auto t = ParseRouteTimeouts(" lnob.registry.v1.HouseholdService=20s, lnob.registry.v1.HouseholdService/GetStatistics=1m");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(TimeoutFor(*t, "/lnob.registry.v1.HouseholdService/GetStatistics", absl::Seconds(10)), absl::Minutes(1));
  EXPECT_EQ(TimeoutFor(*t, "/lnob.registry.v1.HouseholdService/GetHousehold", absl::Seconds(10)), absl::Seconds(20));
  EXPECT_EQ(TimeoutFor(*t, "/lnob.registry.v1.ReferenceDataService/GetAdminUnit", absl::Seconds(10)), absl::Seconds(10));
  EXPECT_FALSE(ParseRouteTimeouts("lnob.registry.v1.HouseholdService").ok());
  EXPECT_FALSE(ParseRouteTimeouts("lnob.registry.v1.HouseholdService=0s").ok());
  EXPECT_FALSE(ParseRouteTimeouts("=5s").ok());
  EXPECT_TRUE(ParseRouteTimeouts("").ok());
}

TEST_F(RouteTableTest, ACreateIsRetriedOnlyWithItsRequestId) {
  Transcoder t(pool_);
  auto create = table_->Find("POST", "/v1/households");
  ASSERT_TRUE(create.ok());
  ASSERT_TRUE(create->route->idempotent);  // by policy: with a request_id a repeat changes nothing
  bool safe = true;
  ASSERT_TRUE(t.BuildRequest(*create, {}, R"({"communeCode":"25195"})", &safe).ok());
  EXPECT_FALSE(safe);  // without one, a second attempt could create a second household
  ASSERT_TRUE(t.BuildRequest(*create, {{"requestId", "0190c0de-0000-7000-8000-0000000000dd"}},
                             R"({"communeCode":"25195"})", &safe).ok());
  EXPECT_TRUE(safe);
  auto get = table_->Find("GET", "/v1/adminUnits/25195");
  ASSERT_TRUE(t.BuildRequest(*get, {}, "", &safe).ok());
  EXPECT_TRUE(safe);  // a read has no request_id: always safe
  lnob::registry::v1::CreateHouseholdRequest req;
  EXPECT_FALSE(RetrySafe(*create->route, req));
  req.set_request_id("0190c0de-0000-7000-8000-0000000000dd");
  EXPECT_TRUE(RetrySafe(*create->route, req));
}

TEST_F(RouteTableTest, TranscodesPathQueryAndBody) {
  Transcoder t(pool_);
  auto m = table_->Find("GET", "/v1/adminUnits");
  ASSERT_TRUE(m.ok());
  auto bytes = t.BuildRequest(*m, {{"parentCode", "70"}, {"asOf.year", "2023"}, {"level", "UNIT_LEVEL_DISTRICT"}, {"page_size", "5"}}, "");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  lnob::registry::v1::ListAdminUnitsRequest req;
  ASSERT_TRUE(req.ParseFromString(*bytes));
  EXPECT_EQ(req.parent_code(), "70");
  EXPECT_EQ(req.as_of().year(), 2023);
  EXPECT_EQ(req.level(), lnob::registry::v1::UNIT_LEVEL_DISTRICT);
  EXPECT_EQ(req.page_size(), 5);
  auto bad = t.BuildRequest(*m, {{"pageSize", "many"}}, "");
  EXPECT_EQ(GetFieldViolations(bad.status()).at(0).field, "pageSize");
  auto unknown = t.BuildRequest(*m, {{"nope", "1"}}, "");
  EXPECT_EQ(GetFieldViolations(unknown.status()).at(0).field, "nope");

  auto patch = table_->Find("PATCH", "/v1/areaClassifications/7");
  ASSERT_TRUE(patch.ok());
  auto up = t.BuildRequest(*patch, {{"updateMask", "note"}}, R"({"note": "ghi chú"})");
  ASSERT_TRUE(up.ok()) << up.status();
  lnob::registry::v1::UpdateAreaClassificationRequest ureq;
  ASSERT_TRUE(ureq.ParseFromString(*up));
  EXPECT_EQ(ureq.area_classification().name(), "areaClassifications/7");
  EXPECT_EQ(ureq.area_classification().note(), "ghi chú");
  EXPECT_EQ(ureq.update_mask().paths(0), "note");
  auto malformed = t.BuildRequest(*patch, {}, R"({"note": )");
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(malformed.status()).at(0).field, "area_classification");
  auto wrong_type = t.BuildRequest(*patch, {}, R"({"illustrative": "maybe"})");
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(UrlDecode, PercentAndPlus) {
  EXPECT_EQ(UrlDecode("nguy%E1%BB%85n+van", true), "nguyễn van");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
  EXPECT_EQ(UrlDecode("bad%zz", true), "bad%zz");
  // Only two hex digits make an escape: no sign, no blank ("%-1" used to decode to 0xFF).
  EXPECT_EQ(UrlDecode("%-1%+F% 1%0", false), "%-1%+F% 1%0");
  EXPECT_EQ(UrlDecode("%2f%2F", false), "//");
}

// Found by services/gateway/fuzz: text that is not UTF-8 (e.g. "%FC" in a query value or a path
// variable) went into proto3 string fields, and the backend could not parse the request.
TEST_F(RouteTableTest, TextThatIsNotUtf8IsRefused) {
  Transcoder t(pool_);
  auto check = table_->Find("GET", "/v1/adminUnits/25195:checkContainment");
  ASSERT_TRUE(check.ok()) << check.status();
  auto bad_query = t.BuildRequest(*check, {{"ancestor", UrlDecode("adminUnits%2\xfc%FCF70", true)}}, "");
  EXPECT_EQ(bad_query.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(bad_query.status()).at(0).field, "ancestor");
  for (const char* text : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe1\xbb"}) {
    EXPECT_FALSE(t.BuildRequest(*check, {{"ancestor", text}}, "").ok()) << text;
  }

  auto bad_path = table_->Find("GET", UrlDecode("/v1/adminUnits/%FF", false));
  ASSERT_TRUE(bad_path.ok()) << bad_path.status();
  auto from_path = t.BuildRequest(*bad_path, {}, "");
  EXPECT_EQ(GetFieldViolations(from_path.status()).at(0).field, "name");

  auto patch = table_->Find("PATCH", "/v1/areaClassifications/7");
  ASSERT_TRUE(patch.ok());
  auto bad_mask = t.BuildRequest(*patch, {{"updateMask", "note,\xff"}}, "");
  EXPECT_EQ(GetFieldViolations(bad_mask.status()).at(0).field, "updateMask");

  auto good = t.BuildRequest(*check, {{"ancestor", UrlDecode("adminUnits/70&x=nguy%E1%BB%85n", true)},
                                      {"as_of.year", "2026"}},
                             "");
  ASSERT_TRUE(good.ok()) << good.status();
  lnob::registry::v1::CheckContainmentRequest req;
  ASSERT_TRUE(req.ParseFromString(*good));
  EXPECT_EQ(req.unit(), "adminUnits/25195");
  EXPECT_EQ(req.ancestor(), "adminUnits/70&x=nguyễn");
}

// Found by services/gateway/fuzz: errors quoted what the client sent (the JSON parser's message
// with the body around the error, an unknown parameter name) into google.rpc.BadRequest, whose
// strings must be UTF-8: with a byte like 0xFF the detail did not parse and the violations were
// lost.
TEST_F(RouteTableTest, ErrorDetailsStayUtf8) {
  Transcoder t(pool_);
  auto classify = table_->Find("POST", "/v1/povertyStandards:classify");
  ASSERT_TRUE(classify.ok());
  auto json = t.BuildRequest(*classify, {}, "{\"unitCode\":\"1\",\"deprived\xff\xffIndicators\":[]}");
  ASSERT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  auto v = GetFieldViolations(json.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "body");
  EXPECT_EQ(v[0].description.rfind("malformed JSON: ", 0), 0u) << v[0].description;
  EXPECT_EQ(v[0].description.find('\n'), std::string::npos) << v[0].description;

  auto list = table_->Find("GET", "/v1/adminUnits");
  ASSERT_TRUE(list.ok());
  auto param = t.BuildRequest(*list, {{"page\xffSize", "1"}}, "");
  ASSERT_EQ(GetFieldViolations(param.status()).size(), 1u);
  EXPECT_EQ(GetFieldViolations(param.status())[0].field, "page\uFFFDSize");
  auto star = t.BuildRequest(*classify, {{"\xc3", "1"}}, "{}");
  ASSERT_EQ(GetFieldViolations(star.status()).size(), 1u);
  EXPECT_EQ(GetFieldViolations(star.status())[0].field, "\uFFFD");
}

}  // namespace
}  // namespace lnob::gateway
