// The SOAP handlers driven from memory (the fuzzing entry point): the WSDL, a wire sample, and
// garbage that must give an error and leave the next request served.
#include "provisioning/provisioning.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb;

namespace {

std::string post(const std::string& body) {
    return "POST /ngnpro/ HTTP/1.0\r\nContent-Type: text/xml; charset=UTF-8\r\nSOAPAction: \"\"\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string add_zone =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="urn:AGProjects:NGNPro:Dns">
<SOAP-ENV:Header><auth><username xsi:type="xsd:string">admin</username><password>pw</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body><ns5:addZone><zone xsi:type="ns4:DnsZone"><name>example.com</name><ttl xsi:type="xsd:int">3600</ttl>
<nameservers xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[1]"><item>ns1.example.net</item></nameservers>
</zone></ns5:addZone></SOAP-ENV:Body></SOAP-ENV:Envelope>)";

} // namespace

TEST_CASE("the in-memory server answers like the real one", "[prov]") {
    test::TempDir dir;
    store::Env env(dir.path());
    prov::Options o;
    // Moved in, not assigned from a literal: GCC 12 at -O3 sees a false -Wmaybe-uninitialized
    // in the assignment of a short literal to a member string.
    o.admin_username = std::string("admin");
    o.admin_password = std::string("pw");
    prov::MemoryServer server(env, o);

    const std::string wsdl = server.handle("GET /ngnpro/wsdl HTTP/1.0\r\nHost: h\r\n\r\n");
    CHECK(wsdl.find("200 OK") != std::string::npos);
    CHECK(wsdl.find("<definitions") != std::string::npos);

    const std::string added = server.handle(post(add_zone));
    CHECK(added.find("addZoneResponse") != std::string::npos);
    const std::string again = server.handle(post(add_zone));
    CHECK(again.find("<errorcode xsi:type=\"xsd:int\">7001</errorcode>") != std::string::npos);

    for (const std::string& garbage :
         {std::string("\x01\x02 not http"), post("<unclosed"), post(std::string(100, '<')),
          post("<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">"
               "<SOAP-ENV:Body><nope/></SOAP-ENV:Body></SOAP-ENV:Envelope>")}) {
        const std::string r = server.handle(garbage);
        CHECK(r.find("200 OK") == std::string::npos);
    }
    CHECK(server.handle(post(add_zone)).find("7001") != std::string::npos);
}
