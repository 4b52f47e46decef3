// Small conversions between gSOAP's generated types and plain values. Everything allocated
// here belongs to the soap context and is freed when the request ends.
#pragma once

#include "service.hpp"
#include "soapH.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <type_traits>
#include <vector>

namespace sb::prov {

// A scalar copied into soap-managed memory, for the pointer members of generated structs.
template <class T>
T* soap_value(struct soap* soap, T value) {
    T* p = static_cast<T*>(soap_malloc(soap, sizeof(T)));
    *p = value;
    return p;
}

template <class T>
T value_or(const T* p, T fallback) {
    return p != nullptr ? *p : fallback;
}

inline std::vector<std::string> strings(const ngnpro__StringArray& a) {
    std::vector<std::string> out;
    for (int i = 0; i < a.__size && a.__ptr != nullptr; ++i) {
        out.push_back(a.__ptr[i]);
    }
    return out;
}

// Fills a SOAP-encoded array (`__ptr`/`__size`) with one item per row: `allocate` is the
// generated soap_new_<Item>, `convert(row, item)` fills an item. The pointer is never null,
// so an empty list goes out as an empty SOAP-ENC array (reference/ngnpro-api.md §1.5).
template <class Array, class Rows, class Item, class Convert>
void fill_array(struct soap* soap, Array& out, const Rows& rows,
                Item* (*allocate)(struct soap*, int), Convert convert) {
    out.__size = static_cast<int>(rows.size());
    out.__ptr = allocate(soap, std::max(1, out.__size));
    std::size_t i = 0;
    for (const auto& row : rows) {
        convert(row, out.__ptr[i++]);
    }
}

// fill_array with the item conversion `to_soap(soap, row, item)`, found by argument-dependent
// lookup: every codec's to_soap overloads live in the global namespace, beside the generated
// types they fill.
template <class Array, class Rows, class Item>
void fill_array(struct soap* soap, Array& out, const Rows& rows,
                Item* (*allocate)(struct soap*, int)) {
    fill_array(soap, out, rows, allocate,
               [soap](const auto& row, Item& item) { to_soap(soap, row, item); });
}

// A query result: its total and the array of the page's items.
template <class Page, class Array, class Item>
void fill_page(struct soap* soap, int& total, Array& out, const Page& page,
               Item* (*allocate)(struct soap*, int)) {
    total = static_cast<int>(page.total);
    fill_array(soap, out, page.items, allocate);
}

inline ngnpro__StringArray string_array(struct soap* soap, const std::vector<std::string>& v) {
    ngnpro__StringArray a;
    fill_array(soap, a, v, soap_new_std__string,
               [](const std::string& s, std::string& item) { item = s; });
    return a;
}

inline Range range_of(const ngnpro__Range* r) {
    Range out;
    if (r != nullptr && r->count > 0) {
        out.start = r->start;
        out.count = r->count;
    } else if (r != nullptr) {
        out.start = r->start;
    }
    return out;
}

inline OrderBy order_of(const ngnpro__OrderBy* o) {
    OrderBy out;
    if (o != nullptr) {
        out.attribute = o->attribute;
        std::string d = o->direction;
        std::transform(d.begin(), d.end(), d.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        out.descending = d == "DESC";
    }
    return out;
}

// The tenancy of an input or filter from the wire: customer, reseller and owner, each where
// both types have it (absent: 0).
template <class Soap, class Out>
void tenancy_from_soap(const Soap& in, Out& out) {
    if constexpr (requires { out.customer = value_or<LONG64>(in.customer, 0); }) {
        out.customer = value_or<LONG64>(in.customer, 0);
    }
    if constexpr (requires { out.reseller = value_or<LONG64>(in.reseller, 0); }) {
        out.reseller = value_or<LONG64>(in.reseller, 0);
    }
    if constexpr (requires { out.owner = value_or<LONG64>(in.owner, 0); }) {
        out.owner = value_or<LONG64>(in.owner, 0);
    }
}

// The tenancy and change date of a row on the wire.
template <class Row, class Soap>
void tenancy_to_soap(struct soap* soap, const Row& row, Soap& out) {
    out.customer = soap_value<LONG64>(soap, row.customer);
    out.reseller = soap_value<LONG64>(soap, row.reseller);
    if constexpr (requires { out.owner = soap_value<LONG64>(soap, row.owner); }) {
        out.owner = soap_value<LONG64>(soap, row.owner);
    }
    out.changeDate = format_date(row.change_date);
}

// The range and order of a query ({filter, range, orderBy}), which may be absent.
template <class Query>
Range range_of(const Query* q) {
    return range_of(q != nullptr ? q->range : nullptr);
}

template <class Query>
OrderBy order_of(const Query* q) {
    return order_of(q != nullptr ? q->orderBy : nullptr);
}

// The filter of a query, or an empty filter (matches everything) when the query is absent.
template <class Query>
const auto& filter_in(const Query* q) {
    static const std::remove_cvref_t<decltype(q->filter)> none{};
    return q != nullptr ? q->filter : none;
}

// Refuses a missing complex parameter with a fault that names it.
template <class T>
const T& required(const T* p, const char* name) {
    if (p == nullptr) {
        throw ApiError(ErrorCode::InvalidArgument, std::string(name) + ": is required");
    }
    return *p;
}

} // namespace sb::prov
