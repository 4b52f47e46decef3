#!/usr/bin/env python3
"""check_layering.py fails on each kind of violation it is there for, and passes a clean tree:
store including provisioning code (by its include path or by a relative path into its src/),
a public store header naming LMDB or including lmdb.h,
a private src/ header of another library, soapH.h outside provisioning/src, a library linking
one of a layer above it, and a cycle of static libraries linking each other. Each case is a
small tree written to a temporary directory."""

import os
import sys

import tree_cases

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_layering.py")

CLEAN = {
    "store/CMakeLists.txt": "add_library(sb_store STATIC src/store.cpp)\n"
                            "target_link_libraries(sb_store PUBLIC PkgConfig::LMDB)\n",
    "store/src/store.cpp": '#include "store/store.hpp"\n#include <lmdb.h>\n',
    "store/include/store/store.hpp": "struct TxnHandle; // opaque\n",
    "zones/CMakeLists.txt": "add_library(sb_zones STATIC src/z.cpp)\n"
                            "target_link_libraries(sb_zones PUBLIC sb_store)\n",
    "zones/src/z.cpp": '#include "store/store.hpp"\n',
    "wsdl/CMakeLists.txt": "add_library(sb_wsdl STATIC gen/soapC.cpp)\n",
    "wsdl/src/lenient.cpp": '#include "soapH.h"\n',
    "provisioning/CMakeLists.txt": "add_library(sb_provisioning STATIC src/p.cpp)\n"
                                   "target_link_libraries(sb_provisioning PUBLIC sb_zones\n"
                                   "    PRIVATE sb_wsdl)\n",
    "provisioning/src/p.cpp": '#include "soapH.h"\n#include "zones/zones.hpp"\n',
}

CASES = [
    ("clean tree", {}, 0, None),
    ("store includes provisioning/", {"store/src/store.cpp": '#include "provisioning/x.hpp"\n'},
     1, "store/src/store.cpp includes provisioning/x.hpp"),
    ("store includes provisioning by a relative path",
     {"store/src/store.cpp": '#include "../../provisioning/src/sip_tables.hpp"\n'},
     1, "includes ../../provisioning/src/sip_tables.hpp"),
    ("a public store header includes lmdb.h",
     {"store/include/store/store.hpp": "#include <lmdb.h>\n"}, 1,
     "store/include/store/store.hpp:1 names lmdb.h"),
    ("a public store header names an LMDB type",
     {"store/include/store/store.hpp": "struct X { MDB_txn* txn; };\n"}, 1,
     "store/include/store/store.hpp:1 names MDB_txn"),
    ("a public store header calls LMDB",
     {"store/include/store/store.hpp": "inline int f() { return mdb_txn_id(0); }\n"}, 1,
     "names mdb_txn_id"),
    ("a private header of another library",
     {"zones/src/z.cpp": '#include "store/src/codec.hpp"\n'}, 1, "a private src/ header"),
    ("soapH.h outside provisioning/src", {"zones/src/z.cpp": '#include "soapH.h"\n'},
     1, "includes the generated soapH.h"),
    ("store links provisioning",
     {"store/CMakeLists.txt": "add_library(sb_store STATIC src/store.cpp)\n"
                              "target_link_libraries(sb_store PRIVATE sb_provisioning)\n"},
     1, "sb_store (store/) links sb_provisioning"),
    ("a library cycle through a link property",
     {"provisioning/CMakeLists.txt": CLEAN["provisioning/CMakeLists.txt"] +
      "set_property(TARGET sb_wsdl APPEND PROPERTY INTERFACE_LINK_LIBRARIES sb_provisioning)\n"},
     1, "library cycle: sb_provisioning -> sb_wsdl -> sb_provisioning"),
    ("a cycle inside one layer",
     {"zones/CMakeLists.txt": "add_library(sb_zones STATIC src/z.cpp)\n"
                              "add_library(sb_zones2 STATIC src/y.cpp)\n"
                              "target_link_libraries(sb_zones PUBLIC sb_zones2)\n"
                              "target_link_libraries(sb_zones2 PUBLIC sb_zones)\n"},
     1, "library cycle: sb_zones -> sb_zones2 -> sb_zones"),
]


def main():
    return tree_cases.main(CHECK, [(name, {**CLEAN, **change}, rc, text)
                                   for name, change, rc, text in CASES])


if __name__ == "__main__":
    sys.exit(main())
