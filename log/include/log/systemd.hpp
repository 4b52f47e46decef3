// sb::log::systemd — the two calls of libsystemd the server makes, the library loaded on first
// use. Only a process under systemd talks to the journal or the service manager, and
// libsystemd.so.0 brings six more shared objects (gcrypt, gpg-error, lz4, lzma, zstd, cap):
// linked, every start maps them all and, on a cold page cache, reads them before main
// (docs/decisions.md "libsystemd loaded on first use").
#pragma once

#include <sys/uio.h>

namespace sb::log::systemd {

// True when libsystemd.so.0 is (or can now be) loaded with both calls below.
bool available() noexcept;

// sd_notify(3) with unset_environment 0: > 0 sent, 0 not under a service manager (no
// NOTIFY_SOCKET: the library is not loaded for it), < 0 a failure or no libsystemd (-ENOSYS).
int notify(const char* state) noexcept;

// sd_journal_sendv(3): 0 sent, < 0 a failure or no libsystemd (-ENOSYS).
int journal_sendv(const iovec* iov, int n) noexcept;

} // namespace sb::log::systemd
