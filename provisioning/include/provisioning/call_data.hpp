// Call data reported by the SIP proxy outside SOAP: `switchboard import-cdrs FILE.csv`
// (docs/sip.md gives the columns; the JSON events endpoint takes the same names).
#pragma once

#include "store/store.hpp"

#include <cstddef>
#include <filesystem>

namespace sb::prov {

struct EventsResult {
    std::size_t accepted = 0; // stored
    std::size_t ignored = 0;  // not about one of our accounts, or older than the retention
};

// Stores every call record of a CSV file (header row of column names) in one transaction per
// record, then drops call data older than `call_data_days`. Throws std::runtime_error naming
// the file and line of the first bad record.
EventsResult import_cdrs(store::Env& env, const std::filesystem::path& file,
                         unsigned call_data_days);

} // namespace sb::prov
