// The Prometheus text exposition format (version 0.0.4), shared by every metrics writer.
#pragma once

#include <string>
#include <string_view>

namespace sb::log {

// Appends the `# HELP` and `# TYPE` lines that open a metric family.
void metric_family(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help);

} // namespace sb::log
