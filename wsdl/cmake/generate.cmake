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
