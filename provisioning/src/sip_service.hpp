// Kept for the files that include it by its old name: the services' API is public now.
#pragma once

#include "provisioning/sip.hpp"
