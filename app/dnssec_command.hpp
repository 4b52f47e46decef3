// `switchboard dnssec keys|ds|sign ZONE`: the keys of a zone Switchboard signs.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::app {

// keys ZONE: the zone's keys (id, tag, flags, algorithm, creation, DNSKEY);
// ds ZONE: the DS RRs to hand to the parent (or to a resolver as trust anchor);
// sign ZONE: applies the configuration's [dnssec] policy and re-signs the zone now.
int dnssec_command(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags);

} // namespace sb::app
