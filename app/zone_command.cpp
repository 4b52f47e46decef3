#include "zone_command.hpp"

#include <iostream>

namespace sb::app {

int zone_command(const std::vector<std::string>&, const std::map<std::string, std::string>&) {
    std::cerr << "switchboard: zone import/export is not implemented yet\n";
    return 2;
}

} // namespace sb::app
