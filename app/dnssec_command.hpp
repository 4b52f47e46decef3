// `switchboard dnssec keys|ds|sign ZONE`: the keys of a zone Switchboard signs.
#pragma once

#include "log/periodic.hpp"
#include "store/store.hpp"
#include "zones/signer.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
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

// The background re-signer of a serving process (zones::ResignerWork): pending bulk jobs first,
// slice by slice; then every 30 s a pass over the nodes in slices, each one bounded write
// transaction (zones::resign_slice) refreshing signatures due for it, so no transaction is ever
// as large as a zone. A zone whose step fails is logged (once per backoff period: it is not
// tried before) and backed off alone; `failed_steps` counts those failures (the metric
// switchboard_dnssec_failed_steps_total). Stops (and joins) in its destructor.
class Resigner {
public:
    Resigner(store::Env& env, std::atomic<std::uint64_t>& failed_steps);
    Resigner(const Resigner&) = delete;
    Resigner& operator=(const Resigner&) = delete;

private:
    bool step();

    zones::ResignerWork work_;
    std::atomic<std::uint64_t>& failed_steps_;
    log::Periodic thread_; // last: its thread uses the members above
};

// The re-signer's metrics: switchboard_dnssec_failed_steps_total.
void write_signer_metrics(const std::atomic<std::uint64_t>& failed_steps, std::string& out);

} // namespace sb::app
