#include "xml_depth.hpp"

namespace sb::prov {

bool XmlDepth::feed(const char* data, std::size_t n, unsigned max) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const char c = data[i];
        switch (state_) {
        case State::Text:
            if (c == '<') {
                state_ = State::Open;
            }
            break;
        case State::Open:
            if (c == '/') {
                state_ = State::EndTag;
            } else if (c == '!' || c == '?') {
                state_ = State::Special;
                special_ = c == '!' ? Special::Undecided : Special::Other;
                special_len_ = 1;
            } else {
                state_ = State::Name;
                if (++depth_ > max) {
                    return false;
                }
            }
            break;
        case State::Name:
        case State::Tag:
            if (c == '"' || c == '\'') {
                quote_ = c;
                state_ = State::TagQuote;
            } else if (c == '>') {
                if (prev_ == '/') {
                    --depth_; // <empty/>
                }
                state_ = State::Text;
            } else {
                state_ = State::Tag;
            }
            break;
        case State::TagQuote:
            if (c == quote_) {
                state_ = State::Tag;
            }
            break;
        case State::Special: {
            // <!-- … -->, <![CDATA[ … ]]>, <? … ?>, <!DOCTYPE …>: skipped to their end.
            static constexpr char cdata[] = "![CDATA[";
            ++special_len_;
            if (special_ == Special::Undecided) {
                if (special_len_ == 3 && prev_ == '-' && c == '-') {
                    special_ = Special::Comment;
                } else if (special_len_ <= 8 && c == cdata[special_len_ - 1]) {
                    if (special_len_ == 8) {
                        special_ = Special::CData;
                    }
                } else if (special_len_ > 2 || c != '-') {
                    special_ = Special::Other;
                }
            }
            const bool end =
                c == '>' && (special_ == Special::Other || special_ == Special::Undecided ||
                             (special_ == Special::Comment && special_len_ > 5 && prev_ == '-' &&
                              prev2_ == '-') ||
                             (special_ == Special::CData && special_len_ > 10 && prev_ == ']' &&
                              prev2_ == ']'));
            if (end) {
                state_ = State::Text;
            }
            break;
        }
        case State::EndTag:
            if (c == '>') {
                if (depth_ > 0) {
                    --depth_;
                }
                state_ = State::Text;
            }
            break;
        }
        prev2_ = prev_;
        prev_ = c;
    }
    return true;
}

} // namespace sb::prov
