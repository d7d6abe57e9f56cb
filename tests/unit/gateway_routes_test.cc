#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "lnob/registry/v1/households.pb.h"
#include "lnob/registry/v1/reference_data.pb.h"
#include "services/gateway/domain/routes.h"
#include "services/gateway/domain/transcoder.h"
#include "common/status/status.h"

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
}

}  // namespace
}  // namespace lnob::gateway
