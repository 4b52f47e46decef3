# Writes OUT, a C++ source defining sb::prov::wsdl_text() with the contents of IN.
file(READ "${IN}" text)
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include \"provisioning/provisioning.hpp\"\n\nconst std::string& sb::prov::wsdl_text() {\n    static const std::string text = R\"sbwsdl(${text})sbwsdl\";\n    return text;\n}\n")
