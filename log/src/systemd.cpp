#include "log/systemd.hpp"

#include <dlfcn.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>

namespace sb::log::systemd {

namespace {

// The prototypes come from libsystemd's own headers, so a changed signature fails the build.
struct Calls {
    decltype(&::sd_notify) notify = nullptr;
    decltype(&::sd_journal_sendv) journal_sendv = nullptr;
};

// Loaded once, by whichever thread asks first; never unloaded.
const Calls& calls() noexcept {
    static const Calls loaded = [] {
        Calls c;
        void* lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            return c;
        }
        c.notify = reinterpret_cast<decltype(&::sd_notify)>(::dlsym(lib, "sd_notify"));
        c.journal_sendv =
            reinterpret_cast<decltype(&::sd_journal_sendv)>(::dlsym(lib, "sd_journal_sendv"));
        if (c.notify == nullptr || c.journal_sendv == nullptr) {
            return Calls{};
        }
        return c;
    }();
    return loaded;
}

} // namespace

bool available() noexcept {
    return calls().notify != nullptr;
}

int notify(const char* state) noexcept {
    // "If the $NOTIFY_SOCKET environment variable is not set and hence status notifications are
    // not supported, 0 is returned" (sd_notify(3)): nothing to load for.
    if (std::getenv("NOTIFY_SOCKET") == nullptr) {
        return 0;
    }
    const Calls& c = calls();
    return c.notify != nullptr ? c.notify(0, state) : -ENOSYS;
}

int journal_sendv(const iovec* iov, int n) noexcept {
    const Calls& c = calls();
    return c.journal_sendv != nullptr ? c.journal_sendv(iov, n) : -ENOSYS;
}

} // namespace sb::log::systemd
