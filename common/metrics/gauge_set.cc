#include "common/metrics/gauge_set.h"

#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace lnob::metrics {

prometheus::Family<prometheus::Gauge>& GaugeSet::Add(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry_);
}

}  // namespace lnob::metrics
