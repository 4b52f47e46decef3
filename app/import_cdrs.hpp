// `switchboard import-cdrs FILE.csv --data DIR`: call detail records into the call data.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::app {

// args: the words after "import-cdrs" ({"FILE"}), flags: --data, --config.
// Returns the process exit code; prints a summary on stdout, errors on stderr.
int import_cdrs_command(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& flags);

} // namespace sb::app
