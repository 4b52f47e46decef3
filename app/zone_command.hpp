// `switchboard zone import|export`: RFC 1035 master files in and out of the store.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::app {

// args: the words after "zone" (e.g. {"import", "FILE"}), flags: --data, --customer, ….
// Returns the process exit code; prints what went wrong on stderr.
int zone_command(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& flags);

} // namespace sb::app
