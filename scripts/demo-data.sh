#!/usr/bin/env bash
# Loads the demo dataset into a running Switchboard over its SOAP API (the same requests any
# NGNPro client sends): a customer, the SIP domain example.com with its DNS zone (NAPTR, SRV and
# A records), and the ENUM range +31 20 1234 with three numbers.
# usage: scripts/demo-data.sh SOAP_HOST:PORT USERNAME PASSWORD
set -euo pipefail
soap=$1 user=$2 password=$3

call() { # PORT_NAMESPACE BODY
    local out
    out=$(curl -sS "http://$soap/ngnpro/" -H 'Content-Type: text/xml; charset=UTF-8' \
        -H 'SOAPAction: ""' --data-binary @- <<XML
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns4="urn:AGProjects:NGNPro"
 xmlns:ns5="urn:AGProjects:NGNPro:$1">
<SOAP-ENV:Header><auth><username>$user</username><password>$password</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>$2</SOAP-ENV:Body></SOAP-ENV:Envelope>
XML
    )
    if [[ $out == *"SOAP-ENV:Fault"* ]]; then
        echo "demo data: $1 request failed: $out" >&2
        exit 1
    fi
}

record() { # NAME TYPE VALUE [PRIORITY]
    call Dns "<ns5:addRecord><record><zone>example.com</zone><name>$1</name><type>$2</type>
<value>$3</value><priority>${4:-0}</priority></record></ns5:addRecord>"
}

call Customer "<ns5:addAccount><account><username>demo</username><password>demo-secret</password>
<firstName>Demo</firstName><lastName>Customer</lastName><organization>Example Ltd</organization>
<email>demo@example.com</email><country>NL</country></account></ns5:addAccount>"
call Sip "<ns5:addDomain><domain><domain>example.com</domain></domain></ns5:addDomain>"
call Dns "<ns5:addZone><zone><name>example.com</name><email>hostmaster@example.com</email>
</zone></ns5:addZone>"
record ns1 A 192.0.2.1
record ns2 A 192.0.2.2
record sip A 192.0.2.10
record _sip._udp SRV "10 5060 sip" 10
record _sip._tcp SRV "10 5060 sip" 20
record "" NAPTR '10 10 "S" "SIP+D2U" "" _sip._udp.example.com.'
record "" NAPTR '20 10 "S" "SIP+D2T" "" _sip._tcp.example.com.'
call Enum "<ns5:addRange><range><id><prefix>31201234</prefix><tld>e164.arpa</tld></id>
<ttl>3600</ttl></range></ns5:addRange>"
for n in 1 2 3; do
    call Enum "<ns5:addNumber><number><id><number>3120123400$n</number><tld>e164.arpa</tld></id>
<mappings><item><type>sip</type><mapto>sip:user$n@example.com</mapto><ttl>3600</ttl>
<priority>10</priority></item></mappings></number></ns5:addNumber>"
done
