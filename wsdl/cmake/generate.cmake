# Runs soapcpp2 on ngnpro.h into GEN_DIR, merges the per-port WSDLs into NGNPro.wsdl and
# names the (identical) per-port namespace tables NGNPro.nsmap.
# Usage: cmake -DSOAPCPP2=<exe> -DHEADER=<ngnpro.h> -DGEN_DIR=<dir> -P generate.cmake
#
# soapcpp2 flags: -1 SOAP 1.1, -e SOAP RPC encoding, -S server side only, -L no
# soapServerLib, -x no sample messages, -t xsi:type on every element we write.

cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${GEN_DIR}")
file(MAKE_DIRECTORY "${GEN_DIR}")
execute_process(
  COMMAND "${SOAPCPP2}" -1 -e -S -L -x -t "-d${GEN_DIR}/" "${HEADER}"
  RESULT_VARIABLE rc
  OUTPUT_FILE "${GEN_DIR}/soapcpp2.log"
  ERROR_FILE "${GEN_DIR}/soapcpp2.log")
file(READ "${GEN_DIR}/soapcpp2.log" log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "soapcpp2 failed (${rc}):\n${log}")
endif()
# Anything but the WS-I note that every rpc/encoded operation gets is worth a look.
string(REGEX MATCHALL "[^\n]*WARNING[^\n]*" warnings "${log}")
foreach(w IN LISTS warnings)
  message(WARNING "soapcpp2: ${w}")
endforeach()

include("${CMAKE_CURRENT_LIST_DIR}/merge_wsdl.cmake")
file(COPY_FILE "${GEN_DIR}/DnsPort.nsmap" "${GEN_DIR}/NGNPro.nsmap")

# soapC.cpp is compiled with src/soapC_shim.hpp, which reroutes soap_match_array,
# soap_element_id and soap_element_begin_out through lenient.cpp for SOAP-encoded arrays. A
# soapcpp2 that no longer calls them from the array serializers would silently bypass the
# rerouting (lenient.cpp's static_asserts catch changed signatures): fail here instead.
file(READ "${GEN_DIR}/soapC.cpp" soapC)
foreach(call
    "soap_element_id(soap, tag, id, a, a->__ptr, a->__size, type, SOAP_TYPE_ngnpro__StringArray"
    "soap_element_begin_out(soap, tag, id, type)"
    "soap_match_array(soap, \"xsd:string\")")
  string(FIND "${soapC}" "${call}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "soapcpp2 output no longer calls `${call}` in the array serializers: "
                        "the rerouting in wsdl/src/soapC_shim.hpp (SOAP-encoded arrays) would "
                        "not take effect; adapt the shim and lenient.cpp to this gSOAP version")
  endif()
endforeach()
