// `switchboard backup DIR` and `switchboard restore DIR`: consistent copies of the store;
// `switchboard compact`: the DNS data and ENUM numbers rewritten in key order, and, with no
// server running on the data dir, the store replaced by a compacting copy of itself.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sb::app {

// backup: copies --data's store into the empty directory args[0], while servers keep running.
// restore: checks that args[0] holds a store of this schema version and installs it as the
// store of --data, which must hold none (stop the servers and move the old one away first).
// compact: rewrites the DNS data and ENUM numbers of --data in key order (store::Env::repack),
// safe while serving; with no server on --data, also swaps in a compacting copy (smaller file).
int backup_command(const std::string& command, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags);

} // namespace sb::app
