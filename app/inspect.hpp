// `switchboard check` and `switchboard status`: what an operator looks at before and while
// serving. Both read the store read-only and never change anything.
#pragma once

#include <map>
#include <string>

namespace sb::app {

// Checks the configuration, the admin credentials, TSIG keys, the TLS certificate and key,
// [server] user, the data dir and the store's schema. Prints one line per finding ("ok:",
// "warning:", "error:" with what to do; --quiet: only warnings and errors). Returns 0 when
// nothing is an error, 1 otherwise.
int check_command(const std::map<std::string, std::string>& flags);

// Prints the store (file, size, map use, last commit) and every zone with its serial, kind
// and change date. Returns 0, or 1 when the data dir holds no store.
int status_command(const std::map<std::string, std::string>& flags);

} // namespace sb::app
