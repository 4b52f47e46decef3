// `switchboard dnssec keys|ds|sign ZONE`: the keys of a zone Switchboard signs.
#pragma once

#include "store/store.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::app {

// keys ZONE: the zone's keys (id, tag, algorithm, flags, role, state, creation, DNSKEY);
// ds ZONE: the DS RRs to hand to the parent (or to a resolver as trust anchor);
// sign ZONE: applies the configuration's [dnssec] policy and re-signs the zone now;
// rollover ZONE zsk|ksk: starts a rollover of the zone's ZSK or KSK (a CSK zone: its CSK;
// zones::start_rollover).
int dnssec_command(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags);

// Runs every pending bulk signing job (zones::bulk_sign_step) to its end, one bounded write
// transaction per slice; returns the owners rebuilt.
std::size_t finish_signing(store::Env& env);

// True when a bulk signing job is pending in the store.
bool signing_pending(store::Env& env);

// The background re-signer of a serving process: pending bulk jobs first, slice by slice; then
// every 30 s a pass over the nodes in slices,
// each one bounded write transaction (zones::resign_slice) refreshes signatures due for it, so no
// transaction is ever as large as a zone. Stops (and joins) in its destructor.
class Resigner {
public:
    explicit Resigner(store::Env& env);
    ~Resigner();
    Resigner(const Resigner&) = delete;
    Resigner& operator=(const Resigner&) = delete;

private:
    void run();

    store::Env& env_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

} // namespace sb::app
