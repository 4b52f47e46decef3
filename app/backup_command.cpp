#include "backup_command.hpp"

#include "process.hpp"
#include "store/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

namespace sb::app {

namespace fs = std::filesystem;

namespace {

void sync_path(const fs::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("cannot flush " + p.string() + ": " + why);
    }
    ::close(fd);
}

// The tables the DNS answers and the provisioning reads walk, rewritten in key order (full
// pages). Then, when no server runs on the data dir (both server locks free, and the store
// lock keeps `zone import` and another compact out), a compacting copy of the store (only the
// pages in use, renumbered) replaces the file: the free pages go back to the file system.
// With a server running, the copy cannot be swapped under it (its map would stay on the old
// file): the free pages' blocks are given back instead (Env::release_free_pages, under the
// write lock), so the file keeps its length but not its blocks (docs/decisions.md).
int compact(const fs::path& data) {
    if (!fs::exists(data / "data.mdb")) {
        throw std::runtime_error(data.string() + " holds no store");
    }
    const DataDirLock store_lock(data, "store");
    std::optional<DataDirLock> dns, soap;
    bool offline = true;
    try {
        dns.emplace(data, "dns");
        soap.emplace(data, "soap");
    } catch (const std::runtime_error&) {
        offline = false;
        dns.reset();
        soap.reset();
    }
    const auto before = fs::file_size(data / "data.mdb");
    const fs::path tmp = data / "compact.tmp";
    std::uint64_t released = 0;
    {
        store::Env env(data);
        for (const auto t : {store::Table::DnsNodes, store::Table::EnumNumbers,
                             store::Table::Records, store::Table::RecordsByOwner}) {
            env.repack(t);
        }
        if (offline) {
            fs::remove_all(tmp);
            env.copy_to(tmp);
        } else {
            // One more commit, so the pages the rewrites freed are free for every reader.
            env.write([](store::WriteTxn& txn) {
                txn.put(store::Table::Meta, "compacted",
                        store::u64_key(static_cast<std::uint64_t>(std::time(nullptr))));
            });
            released = env.release_free_pages();
        }
    }
    if (!offline) {
        std::cout << "DNS data, ENUM numbers and DNS records of " << data.string()
                  << " rewritten in key order while serving; the free pages' blocks given back "
                     "to the file system: "
                  << (released >> 20) << " MB (the file keeps its length of " << (before >> 20)
                  << " MB; stop the servers and compact again to shorten it)\n";
        return 0;
    }

    // The copy takes the old file's owner and mode (a server may run as another user), is
    // flushed, and replaces the file in one rename.
    struct stat st {};

    if (::stat((data / "data.mdb").c_str(), &st) == 0) {
        if (::chown((tmp / "data.mdb").c_str(), st.st_uid, st.st_gid) != 0 ||
            ::chmod((tmp / "data.mdb").c_str(), st.st_mode & 07777) != 0) {
            throw std::runtime_error("cannot give " + (tmp / "data.mdb").string() +
                                     " the owner and mode of the store: " + std::strerror(errno));
        }
    }
    sync_path(tmp / "data.mdb");
    fs::rename(tmp / "data.mdb", data / "data.mdb");
    sync_path(data);
    fs::remove_all(tmp);
    std::cout << "compacted " << data.string() << ": " << (before >> 20) << " MB → "
              << (fs::file_size(data / "data.mdb") >> 20) << " MB\n";
    return 0;
}

} // namespace

int backup_command(const std::string& command, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags) {
    if (command == "compact") {
        if (!args.empty() || !flags.count("data")) {
            std::cerr << "usage: switchboard compact --data DATA_DIR\n";
            return 2;
        }
        return compact(flags.at("data"));
    }
    if (args.size() != 1 || !flags.count("data")) {
        std::cerr << "usage: switchboard " << command << " DIR --data DATA_DIR\n";
        return 2;
    }
    const fs::path data = flags.at("data");
    const fs::path dir = args[0];
    if (command == "backup") {
        if (!fs::exists(data / "data.mdb")) {
            throw std::runtime_error(data.string() + " holds no store");
        }
        const store::Env env(data);
        env.copy_to(dir);
        std::cout << "backup of " << data.string() << " written to " << dir.string() << "\n";
        return 0;
    }
    // restore: the backup must open as a store of this version (Env checks the schema).
    if (!fs::exists(dir / "data.mdb")) {
        throw std::runtime_error(dir.string() + " holds no backup (no data.mdb)");
    }
    {
        store::Options ro;
        ro.read_only = true;
        const store::Env check(dir, ro);
    }
    if (fs::exists(data / "data.mdb")) {
        throw std::runtime_error(data.string() +
                                 " already holds a store; stop the servers and move it away "
                                 "before restoring");
    }
    fs::create_directories(data);
    fs::copy_file(dir / "data.mdb", data / "data.mdb");
    std::cout << "restored " << dir.string() << " into " << data.string() << "\n";
    return 0;
}

} // namespace sb::app
