// Force-included (-include) into the generated soapC.cpp only; see wsdl/README.md.
//
// soapcpp2 serializes a __ptr/__size struct whose name carries a namespace prefix
// (ngnpro__StringArray) as a plain element, and its deserializer rejects any
// SOAP-ENC:arrayType whose item type is not ours (PEAR sends "Struct[3]"). NGNPro needs
// SOAP-encoded arrays both ways (ngnpro-api.md §1.4 item 4, §1.5), so three runtime calls of
// the generated code are routed through wrappers in lenient.cpp:
//  * soap_match_array: accepts any arrayType (the length comes from the children);
//  * soap_element_id + soap_element_begin_out: for a type named ngnpro:<Item>Array, the
//    element is opened with xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="ngnpro:<Item>[n]"
//    (xsd:string[n] for ngnpro:StringArray), also when n is 0.
#pragma once

#include "stdsoap2.h"

namespace sb::wsdl::detail {

int match_array(struct soap* soap, const char* type);
int element_id(struct soap* soap, const char* tag, int id, const void* p, const void* a, int n,
               const char* type, int t, char** mark);
int element_begin_out(struct soap* soap, const char* tag, int id, const char* type);

} // namespace sb::wsdl::detail

#ifndef SB_WSDL_SHIM_NO_MACROS // lenient.cpp defines the wrappers and calls the real functions
#define soap_match_array sb::wsdl::detail::match_array
#define soap_element_id sb::wsdl::detail::element_id
#define soap_element_begin_out sb::wsdl::detail::element_begin_out
#endif
