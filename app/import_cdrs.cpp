#include "import_cdrs.hpp"

#include "config.hpp"
#include "provisioning/call_data.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <iostream>

namespace sb::app {

int import_cdrs_command(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& flags) {
    if (args.size() != 1 || !flags.count("data")) {
        std::cerr << "usage: switchboard import-cdrs FILE.csv --data DIR\n";
        return 2;
    }
    const std::filesystem::path data = flags.at("data");
    const std::filesystem::path config_file = flags.count("config")
                                                  ? std::filesystem::path(flags.at("config"))
                                                  : data / "switchboard.ini";
    const Config config = load_config(config_file);
    store::Env env(data);
    const auto r = prov::import_cdrs(env, args.front(), config.call_data_days);
    std::cout << "import-cdrs: " << r.accepted << " stored, " << r.ignored
              << " ignored (no local account, or older than " << config.call_data_days
              << " days)\n";
    return 0;
}

} // namespace sb::app
