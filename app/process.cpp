#include "process.hpp"

#include "log/log.hpp"
#include "log/systemd.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sb::app {

namespace {

struct Account {
    uid_t uid = 0;
    gid_t gid = 0;
};

Account lookup(const std::string& user) {
    std::vector<char> buffer(16384);
    passwd pw{};
    passwd* found = nullptr;
    const int rc = getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found);
    if (rc != 0 || found == nullptr) {
        throw std::runtime_error("[server] user: no such user '" + user +
                                 "' (create it, e.g. with adduser --system)");
    }
    return {pw.pw_uid, pw.pw_gid};
}

} // namespace

DataDirLock::DataDirLock(const std::filesystem::path& data, std::string_view role) {
    const auto file = data / (std::string(role) + ".lock");
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {};
        const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
        ::close(fd_);
        fd_ = -1;
        std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) {
            holder.pop_back();
        }
        throw std::runtime_error(
            "another switchboard (pid " + (holder.empty() ? std::string("unknown") : holder) +
            ") already " +
            (role == "store" ? std::string("imports into or compacts")
                             : "serves " + std::string(role == "dns" ? "DNS" : "SOAP") + " from") +
            " " + data.string() + " (it holds " + file.string() + "); " +
            (role == "store" ? "wait for it to finish" : "stop it first"));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        log::write(log::Level::Warning, "server", "cannot write the pid into the lock file",
                   {{"file", file.string()}});
    }
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

void hand_over_data_dir(const std::filesystem::path& data, const std::string& user) {
    if (user.empty() || ::geteuid() != 0) {
        return;
    }
    const Account a = lookup(user);
    auto give = [&](const std::filesystem::path& p) {
        if (::lchown(p.c_str(), a.uid, a.gid) != 0) {
            throw std::runtime_error("cannot give " + p.string() + " to " + user + ": " +
                                     std::strerror(errno));
        }
    };
    give(data);
    for (const auto& entry : std::filesystem::directory_iterator(data)) {
        if (entry.is_regular_file()) {
            give(entry.path());
        }
    }
}

void drop_privileges(const std::string& user) {
    if (user.empty()) {
        if (::geteuid() == 0) {
            log::write(log::Level::Warning, "server",
                       "running as root: set [server] user to run unprivileged once bound");
        }
        return;
    }
    if (::geteuid() != 0) {
        const passwd* self = ::getpwuid(::geteuid());
        if (self == nullptr || user != self->pw_name) {
            log::write(log::Level::Notice, "server",
                       "not started as root: [server] user ignored, running as the caller",
                       {{"user", user}});
        }
        return;
    }
    const Account a = lookup(user);
    // Order matters: groups and gid while still root, the uid last.
    if (::setgroups(1, &a.gid) != 0 || ::setgid(a.gid) != 0 || ::setuid(a.uid) != 0) {
        throw std::runtime_error("cannot switch to user " + user + ": " + std::strerror(errno));
    }
    if (::setuid(0) == 0) {
        throw std::runtime_error("switched to user " + user + " but root could be regained");
    }
    log::write(log::Level::Info, "server", "running unprivileged",
               {{"user", user}, {"uid", std::to_string(a.uid)}});
}

void notify(const std::string& state) noexcept {
    log::systemd::notify(state.c_str());
}

} // namespace sb::app
