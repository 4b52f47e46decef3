#!/usr/bin/env bash
# Prints how to query and provision the Switchboard that `make run` is about to start.
build=$1 data=$2 dns=$3 soap=$4
dns_host=${dns%:*} dns_port=${dns##*:}
cat <<MSG

Switchboard is starting with a fresh data dir: $data
  DNS   $dns (UDP and TCP)   e.g.  dig @$dns_host -p $dns_port example.com SOA
  SOAP  http://$soap/ngnpro/    WSDL: http://$soap/ngnpro/wsdl
The administrator password is generated now and printed below (also in $data/switchboard.ini).
Add a zone with curl (replace PASSWORD):

  curl -s http://$soap/ngnpro/ -H 'Content-Type: text/xml; charset=UTF-8' -H 'SOAPAction: ""' --data '
  <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns4="urn:AGProjects:NGNPro"
     xmlns:ns5="urn:AGProjects:NGNPro:Dns">
   <SOAP-ENV:Header><auth><username>admin</username><password>PASSWORD</password></auth></SOAP-ENV:Header>
   <SOAP-ENV:Body><ns5:addZone><zone xsi:type="ns4:DnsZone"><name>example.com</name>
     <nameservers><item>ns1.example.com</item><item>ns2.example.com</item></nameservers>
   </zone></ns5:addZone></SOAP-ENV:Body></SOAP-ENV:Envelope>'

Stop with Ctrl-C.
MSG
