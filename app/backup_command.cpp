#include "backup_command.hpp"

#include "store/store.hpp"

#include <filesystem>
#include <iostream>

namespace sb::app {

namespace fs = std::filesystem;

int backup_command(const std::string& command, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags) {
    if (command == "compact") {
        if (!args.empty() || !flags.count("data")) {
            std::cerr << "usage: switchboard compact --data DATA_DIR\n";
            return 2;
        }
        if (!fs::exists(fs::path(flags.at("data")) / "data.mdb")) {
            throw std::runtime_error(flags.at("data") + " holds no store");
        }
        store::Env env(flags.at("data"));
        env.repack(store::Table::DnsNodes);
        std::cout << "DNS data of " << flags.at("data") << " rewritten in key order\n";
        return 0;
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
