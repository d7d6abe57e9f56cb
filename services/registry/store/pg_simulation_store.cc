#include "services/registry/store/pg_simulation_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/api/resource_name.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::registry {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;


v1::SimulationOperation ReadOperation(const pqxx::row& r) {
  v1::SimulationOperation op;
  op.set_name("simulationOperations/" + Str(r[0]));
  op.set_state(Str(r[1]));
  op.set_done_households(r[2].as<int64_t>());
  op.set_total_households(r[3].as<int64_t>());
  if (!r[4].is_null()) op.set_simulation("simulations/" + Str(r[4]));
  op.set_error_code(Str(r[5]));
  op.set_error_message(Str(r[6]));
  op.set_creator(Str(r[7]));
  api::SetProtoTimestamp(Str(r[8]), op.mutable_create_time());
  api::SetProtoTimestamp(Str(r[9]), op.mutable_update_time());
  return op;
}

std::string OperationColumns() {
  return absl::StrCat("id::text, state, done_households, total_households, simulation_id::text, error_code, error_message,"
                      " creator, ", db::Rfc3339("create_time"), ", ", db::Rfc3339("update_time"));
}

// The body as stored (the message's JSON with proto field names), with the row's own columns.
absl::StatusOr<v1::Simulation> ReadSimulation(const pqxx::row& r) {
  v1::Simulation s;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;  // a body written by a later version keeps reading
  auto st = google::protobuf::util::JsonStringToMessage(Str(r[3]), &s, opts);
  if (!st.ok()) return absl::DataLossError(absl::StrCat("simulation ", Str(r[0]), " cannot be read: ", st.ToString()));
  s.set_name("simulations/" + Str(r[0]));
  s.set_creator(Str(r[1]));
  api::SetProtoTimestamp(Str(r[2]), s.mutable_create_time());
  return s;
}

std::string SimulationColumns(const std::string& body) {
  return absl::StrCat("id::text, creator, ", db::Rfc3339("create_time"), ", ", body, "::text");
}

class PgSimulationStore final : public SimulationStore {
 public:
  explicit PgSimulationStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::UnitCost>> ListUnitCosts(std::optional<absl::CivilDay> as_of) override {
    using Out = std::vector<v1::UnitCost>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT content, programme, source, household_class, amount_vnd, ", db::DateText("valid_from"),
                            ", ", db::DateText("valid_to"), ", confirmed, basis FROM simulation_unit_costs"
                            " WHERE $1 = '' OR (valid_from <= NULLIF($1, '')::date"
                            "   AND (valid_to IS NULL OR valid_to >= NULLIF($1, '')::date))"
                            " ORDER BY content, programme, source, household_class, valid_from"),
               as_of ? FormatDate(*as_of) : std::string())) {
        v1::UnitCost c;
        c.set_content(Str(r[0]));
        c.set_programme(Str(r[1]));
        c.set_source(Str(r[2]));
        c.set_household_class(Str(r[3]));
        c.set_amount_vnd(r[4].as<int64_t>());
        api::SetProtoDate(Str(r[5]), c.mutable_valid_from());
        if (!r[6].is_null()) api::SetProtoDate(Str(r[6]), c.mutable_valid_to());
        c.set_confirmed(r[7].as<bool>());
        c.set_basis(Str(r[8]));
        out.push_back(std::move(c));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> ReplayOperation(const db::IdempotencyKey& key, v1::SimulationOperation* out) override {
    return db::ReplayResponse(*pool_, key, out);
  }

  absl::StatusOr<v1::SimulationOperation> CreateOperation(const std::string& creator, int64_t total,
                                                          const db::IdempotencyKey& key, bool* created) override {
    return pool_->Write<v1::SimulationOperation>([&](transaction_base& tx, v1::SimulationOperation& out) -> absl::Status {
      *created = false;
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        *created = true;
        auto r = tx.exec_params(absl::StrCat("INSERT INTO simulation_operations (id, total_households, creator)"
                                             " VALUES ($1::uuid, $2, $3) RETURNING ",
                                             OperationColumns()),
                                NewUuidV7(absl::Now()), total, creator);
        out = ReadOperation(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::SimulationOperation> UpdateOperation(const std::string& id, const OperationUpdate& u) override {
    return pool_->Write<v1::SimulationOperation>([&](transaction_base& tx, v1::SimulationOperation& out) -> absl::Status {
      // A finished operation keeps its outcome (a cancel that came too late changes nothing).
      auto r = tx.exec_params(
          absl::StrCat("UPDATE simulation_operations SET state = CASE WHEN $2 = '' THEN state ELSE $2 END,"
                       " done_households = CASE WHEN $3 < 0 THEN done_households ELSE $3 END,"
                       " total_households = CASE WHEN $4 < 0 THEN total_households ELSE $4 END,"
                       " simulation_id = NULLIF($5, '')::uuid, error_code = $6, error_message = $7, update_time = now()"
                       " WHERE id = $1::uuid AND state = 'RUNNING' RETURNING ",
                       OperationColumns()),
          id, u.state, u.done, u.total, u.simulation_id, u.error_code, u.error_message);
      if (r.empty()) return Get(tx, id, &out);
      out = ReadOperation(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::SimulationOperation> GetOperation(const std::string& id) override {
    return pool_->Fetch<v1::SimulationOperation>(
        [&](transaction_base& tx, v1::SimulationOperation& out) { return Get(tx, id, &out); });
  }

  absl::StatusOr<bool> CancelRequested(const std::string& id) override {
    return pool_->Fetch<bool>([&](transaction_base& tx, bool& out) -> absl::Status {
      auto r = tx.exec_params("SELECT cancel_requested FROM simulation_operations WHERE id = $1::uuid", id);
      out = !r.empty() && r[0][0].as<bool>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::SimulationOperation> RequestCancel(const std::string& id) override {
    return pool_->Write<v1::SimulationOperation>([&](transaction_base& tx, v1::SimulationOperation& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("UPDATE simulation_operations SET cancel_requested = state = 'RUNNING'"
                                           " WHERE id = $1::uuid RETURNING ",
                                           OperationColumns()),
                              id);
      if (r.empty()) return api::NotFound("simulationOperations/" + id);
      out = ReadOperation(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Simulation> CreateSimulation(const v1::Simulation& s,
                                                  const std::vector<HouseholdChange>& households) override {
    return pool_->Write<v1::Simulation>([&](transaction_base& tx, v1::Simulation& out) -> absl::Status {
      const std::string id = NewUuidV7(absl::Now());
      v1::Simulation body = s;
      body.clear_name();
      body.clear_creator();
      body.clear_create_time();
      std::vector<std::string> communes(s.communes().begin(), s.communes().end());
      auto r = tx.exec_params(absl::StrCat("INSERT INTO simulations (id, title, creator, unit_code, communes,"
                                           " registry_cursor, body) VALUES ($1::uuid, $2, $3, $4, $5::text[], $6,"
                                           " $7::jsonb) RETURNING ",
                                           SimulationColumns("body")),
                              id, s.title(), s.creator(), s.unit_code(), ArrayLiteral(communes), s.registry_cursor(),
                              api::ProtoJson(body));
      db::CopyWriter w(tx, "simulation_households",
                       {"simulation_id", "household_id", "commune_code", "unit_code", "area_type", "from_class",
                        "best_class", "worst_class", "unknown"});
      std::string line;
      for (const auto& h : households) {
        line.clear();
        for (const std::string* v : {&id, &h.id, &h.commune_code, &h.unit_code, &h.area_type, &h.from, &h.best,
                                     &h.worst}) {
          db::CopyField(&line, *v);
        }
        db::CopyField(&line, ArrayLiteral(h.unknown));
        w.WriteLine(line);
      }
      w.Complete();
      LNOB_ASSIGN_OR_RETURN(out, ReadSimulation(r[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Simulation> GetSimulation(const std::string& id) override {
    return pool_->Fetch<v1::Simulation>([&](transaction_base& tx, v1::Simulation& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", SimulationColumns("body"), " FROM simulations WHERE id = $1::uuid"),
                              id);
      if (r.empty()) return api::NotFound("simulations/" + id);
      LNOB_ASSIGN_OR_RETURN(out, ReadSimulation(r[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Simulation>> ListSimulations(const std::optional<std::vector<std::string>>& within,
                                                              const std::string& after_id, int limit) override {
    using Out = std::vector<v1::Simulation>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", SimulationColumns("(body - 'cells' - 'by_commune')"),
                            " FROM simulations WHERE ($1 = '' OR id < NULLIF($1, '')::uuid)"
                            " AND (NOT $2 OR communes <@ $3::text[]) ORDER BY id DESC LIMIT $4"),
               after_id, within.has_value(), ArrayLiteral(within.value_or(std::vector<std::string>{})), limit)) {
        LNOB_ASSIGN_OR_RETURN(v1::Simulation s, ReadSimulation(r));
        out.push_back(std::move(s));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<v1::Simulation>> LatestSimulation() override {
    using Out = std::optional<v1::Simulation>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // The dashboard's: of a registry standard, over every commune (not a draft, nor a unit's or
      // an officer's).
      auto r = tx.exec(absl::StrCat("SELECT ", SimulationColumns("(body - 'cells')"),
                                    " FROM simulations WHERE (body->>'province_wide')::boolean IS TRUE"
                                    " AND (body->>'draft_standard')::boolean IS NOT TRUE ORDER BY id DESC LIMIT 1"));
      if (r.empty()) return absl::OkStatus();
      LNOB_ASSIGN_OR_RETURN(out, ReadSimulation(r[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::SimulatedHousehold>> ListHouseholds(const std::string& simulation_id,
                                                                     const std::vector<std::string>& communes,
                                                                     const std::string& after_commune,
                                                                     const std::string& after_id, int limit) override {
    using Out = std::vector<v1::SimulatedHousehold>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               "SELECT s.household_id::text, s.commune_code, s.unit_code, coalesce(h.village, ''),"
               " coalesce(m.full_name, ''), coalesce(h.head_ethnicity, ''), s.area_type, s.from_class, s.best_class,"
               " s.worst_class, s.unknown, coalesce(h.commune_code, '')"
               " FROM simulation_households s LEFT JOIN households h ON h.id = s.household_id"
               " LEFT JOIN members m ON m.id = h.head_member_id"
               " WHERE s.simulation_id = $1::uuid AND (cardinality($2::text[]) = 0 OR s.commune_code = ANY($2::text[]))"
               " AND ($3 = '' OR (s.commune_code, s.household_id) > ($3, NULLIF($4, '')::uuid))"
               " ORDER BY s.commune_code, s.household_id LIMIT $5",
               simulation_id, ArrayLiteral(communes), after_commune, after_id, limit)) {
        v1::SimulatedHousehold h;
        h.set_household("households/" + Str(r[0]));
        h.set_commune_code(Str(r[1]));
        h.set_unit_code(Str(r[2]));
        h.set_village(Str(r[3]));
        h.set_head_name(Str(r[4]));
        h.set_head_ethnicity_code(Str(r[5]));
        h.set_area_type(Str(r[6]) == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL);
        h.set_from_class(Str(r[7]));
        h.set_best_class(Str(r[8]));
        h.set_worst_class(Str(r[9]));
        for (const auto& u : db::ArrayValue(r[10])) h.add_unknown_inputs(u);
        h.set_current_commune_code(Str(r[11]));
        out.push_back(std::move(h));
      }
      return absl::OkStatus();
    });
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  static absl::Status Get(transaction_base& tx, const std::string& id, v1::SimulationOperation* out) {
    auto r = tx.exec_params(absl::StrCat("SELECT ", OperationColumns(), " FROM simulation_operations WHERE id = $1::uuid"),
                            id);
    if (r.empty()) return api::NotFound("simulationOperations/" + id);
    *out = ReadOperation(r[0]);
    return absl::OkStatus();
  }

  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<SimulationStore> NewPgSimulationStore(db::Pool* pool) { return std::make_unique<PgSimulationStore>(pool); }

}  // namespace lnob::registry
