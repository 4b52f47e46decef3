# Merges the per-port WSDL files soapcpp2 writes (<Port>.wsdl, one per service name) into one
# NGNPro.wsdl: service NGNPro with one port per NGNPro port, all on the same location.
#
# soapcpp2 2.8.124 writes one WSDL per service name and, when several namespaces share a
# service name, keeps only the last one; hence one service name per port in ngnpro.h and
# this merge. Usage: cmake -DGEN_DIR=<soapcpp2 output dir> -DOUT=<file> -P merge_wsdl.cmake
#
# The result has:
#  * definitions name="NGNPro", targetNamespace urn:AGProjects:NGNPro (the types namespace);
#  * <types>: the urn:AGProjects:NGNPro schema only, with the SOAP-encoded array types
#    moved into it: soapcpp2 writes them (named ngnpro:...Array, referenced as such) into every
#    per-port schema instead, which would leave them undefined in the types namespace;
#  * messages renamed <Port>_<name> (operation names repeat across ports), plus one
#    AuthHeader message whose part `auth` is the element ngnpro:auth;
#  * every portType and binding unchanged except for those message references;
#  * one <service name="NGNPro"> with every <port>.

cmake_minimum_required(VERSION 3.25)

if(NOT OUT)
  set(OUT "${GEN_DIR}/NGNPro.wsdl")
endif()
if(NOT GEN_DIR)
  message(FATAL_ERROR "usage: cmake -DGEN_DIR=dir -DOUT=file -P merge_wsdl.cmake")
endif()

set(ports Sip Voicemail Enum Dns Customer Rating Network)
set(types_ns "urn:AGProjects:NGNPro")

# Returns in `out` the text of `text` from the first `begin` (included) up to the first
# following `end` (included when `with_end`), failing loudly when either is missing.
function(slice text begin end with_end out)
  string(FIND "${text}" "${begin}" b)
  if(b EQUAL -1)
    message(FATAL_ERROR "merge_wsdl: '${begin}' not found")
  endif()
  string(SUBSTRING "${text}" ${b} -1 rest)
  string(FIND "${rest}" "${end}" e)
  if(e EQUAL -1)
    message(FATAL_ERROR "merge_wsdl: '${end}' not found after '${begin}'")
  endif()
  if(with_end)
    string(LENGTH "${end}" n)
    math(EXPR e "${e} + ${n}")
  endif()
  string(SUBSTRING "${rest}" 0 ${e} piece)
  set(${out} "${piece}" PARENT_SCOPE)
endfunction()

# Head and types, from the first port's file.
list(GET ports 0 first)
file(READ "${GEN_DIR}/${first}Port.wsdl" wsdl)
slice("${wsdl}" "<definitions " "<types>" FALSE head)
string(REGEX REPLACE "targetNamespace=\"[^\"]*\"" "targetNamespace=\"${types_ns}\"" head "${head}")
string(REGEX REPLACE "xmlns:tns=\"[^\"]*\"" "xmlns:tns=\"${types_ns}\"" head "${head}")
slice("${wsdl}" "  <schema targetNamespace=\"${types_ns}\"\n" "  </schema>\n" TRUE schema)
# The port namespaces have no schema of their own in the merged file.
string(REGEX REPLACE "    <import namespace=\"urn:AGProjects:NGNPro:[A-Za-z]+\"/>\n" "" schema
       "${schema}")

# The array types, from the first port's own schema, into the types schema.
slice("${wsdl}" "  <schema targetNamespace=\"${types_ns}:${first}\"\n" "  </schema>\n" TRUE port_schema)
string(FIND "${port_schema}" "    <complexType name=" arrays_at)
if(arrays_at EQUAL -1)
  message(FATAL_ERROR "merge_wsdl: no array types in the ${first} schema")
endif()
string(SUBSTRING "${port_schema}" ${arrays_at} -1 arrays)
string(REPLACE "  </schema>\n" "" arrays "${arrays}")
string(REPLACE "  </schema>\n" "${arrays}  </schema>\n" schema "${schema}")

set(result "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n${head}<types>\n\n${schema}\n</types>\n\n")
string(APPEND result "<message name=\"AuthHeader\">\n  <part name=\"auth\" element=\"ngnpro:auth\"/>\n</message>\n\n")

set(bindings "")
set(service_ports "")
foreach(port IN LISTS ports)
  file(READ "${GEN_DIR}/${port}Port.wsdl" wsdl)
  string(FIND "${wsdl}" "${types_ns}:${port}\"" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "merge_wsdl: ${port}Port.wsdl does not describe urn:AGProjects:NGNPro:${port}")
  endif()
  slice("${wsdl}" "<message name=" "<message name=\"${port}PortHeader\">" FALSE messages)
  string(REGEX REPLACE "<message name=\"([A-Za-z0-9_]+)\">" "<message name=\"${port}_\\1\">"
         messages "${messages}")
  string(APPEND result "${messages}")

  slice("${wsdl}" "<portType " "</binding>\n" TRUE binding)
  string(REPLACE "message=\"tns:${port}PortHeader\"" "message=\"tns:AuthHeader\"" binding
         "${binding}")
  string(REGEX REPLACE "message=\"tns:([A-Za-z0-9_]+)\"" "message=\"tns:${port}_\\1\"" binding
         "${binding}")
  string(REPLACE "message=\"tns:${port}_AuthHeader\"" "message=\"tns:AuthHeader\"" binding
         "${binding}")
  string(APPEND bindings "${binding}\n")

  slice("${wsdl}" "  <port name=" "  </port>\n" TRUE service_port)
  string(APPEND service_ports "${service_port}")
endforeach()

string(APPEND result "${bindings}")
string(APPEND result "<service name=\"NGNPro\">\n")
string(APPEND result "  <documentation>NGNPro provisioning service (Switchboard)</documentation>\n")
string(APPEND result "${service_ports}</service>\n\n</definitions>\n")

file(WRITE "${OUT}.tmp" "${result}")
file(RENAME "${OUT}.tmp" "${OUT}")
