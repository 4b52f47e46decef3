// JSON text the provisioning answers write by hand (NetworkPort, the proxy's read API).
#pragma once

#include <string>
#include <string_view>

namespace sb::prov {

// `s` as a JSON string literal, quotes included (control characters as \u00XX).
std::string json_string(std::string_view s);

} // namespace sb::prov
