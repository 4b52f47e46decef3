// Small conversions between gSOAP's generated types and plain values. Everything allocated
// here belongs to the soap context and is freed when the request ends.
#pragma once

#include "service.hpp"
#include "soapH.h"

#include <algorithm>
#include <cctype>
#include <string>
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

inline ngnpro__StringArray string_array(struct soap* soap, const std::vector<std::string>& v) {
    ngnpro__StringArray a;
    a.__size = static_cast<int>(v.size());
    a.__ptr = soap_new_std__string(soap, a.__size == 0 ? 1 : a.__size);
    for (std::size_t i = 0; i < v.size(); ++i) {
        a.__ptr[i] = v[i];
    }
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

// Refuses a missing complex parameter with a fault that names it.
template <class T>
const T& required(const T* p, const char* name) {
    if (p == nullptr) {
        throw ApiError(ErrorCode::InvalidArgument, std::string(name) + ": is required");
    }
    return *p;
}

} // namespace sb::prov
