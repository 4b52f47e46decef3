// CustomerPort (urn:AGProjects:NGNPro:Customer): SOAP types ⇄ CustomerService.
// getAccount never returns a password: only a salted hash is stored, and the password field
// carries a token that keeps the password when an edit sends it back (docs/decisions.md).
#include "context.hpp"
#include "provisioning/services.hpp"
#include "soap_util.hpp"

using namespace sb::prov;

namespace {

// The CustomerAccount string members by wire name (customer_text_fields()).
struct TextField {
    const char* name;
    std::string ngnpro__CustomerAccount::*member;
};

constexpr TextField text_fields[] = {
    {"firstName", &ngnpro__CustomerAccount::firstName},
    {"lastName", &ngnpro__CustomerAccount::lastName},
    {"organization", &ngnpro__CustomerAccount::organization},
    {"vatNumber", &ngnpro__CustomerAccount::vatNumber},
    {"email", &ngnpro__CustomerAccount::email},
    {"web", &ngnpro__CustomerAccount::web},
    {"tel", &ngnpro__CustomerAccount::tel},
    {"fax", &ngnpro__CustomerAccount::fax},
    {"mobile", &ngnpro__CustomerAccount::mobile},
    {"sip", &ngnpro__CustomerAccount::sip},
    {"enum", &ngnpro__CustomerAccount::enum_},
    {"address", &ngnpro__CustomerAccount::address},
    {"postcode", &ngnpro__CustomerAccount::postcode},
    {"city", &ngnpro__CustomerAccount::city},
    {"state", &ngnpro__CustomerAccount::state},
    {"country", &ngnpro__CustomerAccount::country},
    {"timezone", &ngnpro__CustomerAccount::timezone},
    {"language", &ngnpro__CustomerAccount::language},
    {"bankAccount", &ngnpro__CustomerAccount::bankAccount},
    {"billingAddress", &ngnpro__CustomerAccount::billingAddress},
    {"billingEmail", &ngnpro__CustomerAccount::billingEmail},
    {"companyCode", &ngnpro__CustomerAccount::companyCode},
};

std::vector<sb::store::PropertyRow> properties_in(const ngnpro__CustomerPropertyArray& a) {
    std::vector<sb::store::PropertyRow> out;
    for (int i = 0; i < a.__size && a.__ptr != nullptr; ++i) {
        const auto& p = a.__ptr[i];
        out.push_back({p.name, p.value, p.category, p.permission});
    }
    return out;
}

ngnpro__CustomerPropertyArray properties_out(struct soap* soap,
                                             const std::vector<sb::store::PropertyRow>& props) {
    ngnpro__CustomerPropertyArray a;
    fill_array(soap, a, props, soap_new_ngnpro__CustomerProperty,
               [](const sb::store::PropertyRow& p, ngnpro__CustomerProperty& item) {
                   item.name = p.name;
                   item.value = p.value;
                   item.category = p.category;
                   item.permission = p.permission;
               });
    return a;
}

CustomerInput customer_input(const ngnpro__CustomerAccount& a) {
    CustomerInput in;
    in.id = value_or<LONG64>(a.id, 0);
    in.reseller = value_or<LONG64>(a.reseller, 0);
    in.impersonate = value_or<LONG64>(a.impersonate, 0);
    in.username = a.username;
    in.password = a.password;
    for (const auto& f : text_fields) {
        in.text.emplace_back(f.name, a.*f.member);
    }
    in.balance = value_or<double>(a.balance, 0);
    in.credit = value_or<double>(a.credit, 0);
    in.reseller_active = value_or<bool>(a.resellerActive, false);
    in.properties = properties_in(a.properties);
    return in;
}

void customer_output(struct soap* soap, const sb::store::CustomerRow& row,
                     ngnpro__CustomerAccount& a) {
    a.id = soap_value<LONG64>(soap, row.id);
    a.reseller = soap_value<LONG64>(soap, row.reseller);
    a.impersonate = soap_value<LONG64>(soap, row.impersonate);
    a.username = row.username;
    a.password = password_token(row.password_hash);
    for (const auto& f : text_fields) {
        for (const auto& [k, v] : row.text) {
            if (k == f.name) {
                a.*f.member = v;
            }
        }
    }
    a.balance = soap_value<double>(soap, row.balance);
    a.credit = soap_value<double>(soap, row.credit);
    a.resellerActive = soap_value<bool>(soap, row.reseller_active);
    a.changeDate = format_date(row.change_date);
    a.properties = properties_out(soap, row.properties);
}

CustomerFilter filter_of(const ngnpro__CustomerQuery* q) {
    CustomerFilter f;
    if (q == nullptr) {
        return f;
    }
    const auto& in = q->filter;
    f.customer = value_or<LONG64>(in.customer, 0);
    f.reseller = value_or<LONG64>(in.reseller, 0);
    f.text = {{"username", in.username}, {"firstName", in.firstName},
              {"lastName", in.lastName}, {"organization", in.organization},
              {"tel", in.tel},           {"email", in.email},
              {"web", in.web},           {"city", in.city},
              {"country", in.country}};
    f.only_resellers = !in.only_USCOREresellers.empty() && in.only_USCOREresellers != "0";
    return f;
}

// getCustomers (resellers = false) and getResellers (true).
int find(struct soap* soap, const char* operation, const ngnpro__CustomerQuery* query,
         ngnpro__CustomerQueryResult& out, bool resellers) {
    return serve(soap, operation, [&](const Caller& caller) {
        const auto page = context(soap).customers.find(caller, filter_of(query), range_of(query),
                                                       order_of(query), resellers);
        out.total = static_cast<int>(page.total);
        fill_array(soap, out.accounts, page.items, soap_new_ngnpro__CustomerAccount,
                   [&](const auto& row, auto& item) { customer_output(soap, row, item); });
    });
}

} // namespace

int customer__addAccount(struct soap* soap, ngnpro__CustomerAccount* account,
                         customer__addAccountResponse& out) {
    return serve(soap, "CustomerPort.addAccount", [&](const Caller& caller) {
        const auto row =
            context(soap).customers.add(caller, customer_input(required(account, "account")));
        audit_note(soap, "customer " + std::to_string(row.id) + " " + row.username);
        customer_output(soap, row, out.return_);
    });
}

int customer__updateAccount(struct soap* soap, ngnpro__CustomerAccount* account,
                            customer__updateAccountResponse&) {
    return serve(soap, "CustomerPort.updateAccount", [&](const Caller& caller) {
        const auto& a = required(account, "account");
        audit_note(soap,
                   "customer " + std::to_string(value_or<LONG64>(a.id, 0)) + " " + a.username);
        context(soap).customers.update(caller, customer_input(a));
    });
}

int customer__deleteAccount(struct soap* soap, int id, customer__deleteAccountResponse&) {
    return serve(soap, "CustomerPort.deleteAccount", [&](const Caller& caller) {
        audit_note(soap, "customer " + std::to_string(id));
        context(soap).customers.remove(caller, id);
    });
}

int customer__getAccount(struct soap* soap, int id, customer__getAccountResponse& out) {
    return serve(soap, "CustomerPort.getAccount", [&](const Caller& caller) {
        customer_output(soap, context(soap).customers.get(caller, id), out.return_);
    });
}

int customer__getCustomers(struct soap* soap, ngnpro__CustomerQuery* query,
                           customer__getCustomersResponse& out) {
    return find(soap, "CustomerPort.getCustomers", query, out.return_, false);
}

int customer__getResellers(struct soap* soap, ngnpro__CustomerQuery* query,
                           customer__getResellersResponse& out) {
    return find(soap, "CustomerPort.getResellers", query, out.return_, true);
}

int customer__setProperties(struct soap* soap, int customer,
                            ngnpro__CustomerPropertyArray* properties,
                            customer__setPropertiesResponse&) {
    return serve(soap, "CustomerPort.setProperties", [&](const Caller& caller) {
        audit_note(soap, "customer " + std::to_string(customer) + " properties");
        context(soap).customers.set_properties(caller, customer,
                                               properties_in(required(properties, "properties")));
    });
}

int customer__getProperties(struct soap* soap, int customer, customer__getPropertiesResponse& out) {
    return serve(soap, "CustomerPort.getProperties", [&](const Caller& caller) {
        out.return_ =
            properties_out(soap, context(soap).customers.get_properties(caller, customer));
    });
}
