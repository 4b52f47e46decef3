// Process-level operation: the data dir lock, dropping root, and systemd's notify protocol.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sb::app {

// An exclusive flock(2) on `data`/`role`.lock, held for the object's life. A second process
// serving the same role on the same data dir gets a std::runtime_error saying which process
// holds it. `role` is "dns" or "soap": `dns` and `provision` may share a data dir.
class DataDirLock {
public:
    DataDirLock(const std::filesystem::path& data, std::string_view role);
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

private:
    int fd_ = -1;
};

// Started as root with `user` set: gives the data dir and the files in it to that user, so the
// store stays writable once root is gone. Call once the store is open, before dropping root.
void hand_over_data_dir(const std::filesystem::path& data, const std::string& user);

// Started as root with `user` set: switches to that user's uid and primary gid with no
// supplementary groups (no capability survives setuid). Throws when the user does not exist or
// a switch fails. As any other user: nothing (logged when `user` names someone else).
void drop_privileges(const std::string& user);

// sd_notify(3) when NOTIFY_SOCKET is set (systemd Type=notify), a no-op otherwise (libsystemd
// is not even loaded then: log/include/log/systemd.hpp).
void notify(const std::string& state) noexcept;

} // namespace sb::app
