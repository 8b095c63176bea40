#include "core/text/Unicode.h"

#include "core/util/Error.h"

#include <memory>

#include <unicode/normalizer2.h>
#include <unicode/uniset.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/bytestream.h>
#include <unicode/locid.h>

namespace teft::text {

std::size_t validSequenceLength(std::string_view s, std::size_t i, std::size_t* invalidLength)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80)
        return 1;
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F; // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        if (invalidLength)
            *invalidLength = 1;
        return 0;
    }
    std::size_t k = 1;
    for (; k <= need; ++k) {
        if (i + k >= s.size())
            break;
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h)
            break;
    }
    if (k > need)
        return need + 1;
    if (invalidLength)
        *invalidLength = k;
    return 0;
}

char32_t decodeUtf8(std::string_view s, std::size_t& i)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if (b0 < 0xE0) {
        const char32_t c = (char32_t(b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
        i += 2;
        return c;
    }
    if (b0 < 0xF0) {
        const char32_t c = (char32_t(b0 & 0x0F) << 12) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
        i += 3;
        return c;
    }
    const char32_t c = (char32_t(b0 & 0x07) << 18) | (char32_t(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
                       (char32_t(static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) |
                       (static_cast<unsigned char>(s[i + 3]) & 0x3F);
    i += 4;
    return c;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string utf8(char32_t cp)
{
    std::string s;
    appendUtf8(s, cp);
    return s;
}

bool isAscii(std::string_view s)
{
    unsigned char acc = 0;
    for (char c : s)
        acc |= static_cast<unsigned char>(c);
    return acc < 0x80;
}

bool isValidUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = validSequenceLength(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string repairUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 8);
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t bad = 0;
        const std::size_t n = validSequenceLength(s, i, &bad);
        if (n) {
            out.append(s.data() + i, n);
            i += n;
        } else {
            appendUtf8(out, kReplacementChar);
            i += bad;
        }
    }
    return out;
}

namespace {
// Hugging Face tokenizers normalizes with the unicode-normalization-alignments crate, whose data is
// Unicode 9.0: characters assigned later have no canonical combining class, decomposition or
// composition there. ICU's normalizers filtered to [:age=9.0:] do the same (ICU does this for
// IDNA2003's Unicode 3.2): text outside the set is left as it is and bounds the normalized spans,
// so a newer combining mark is never reordered nor composed, exactly like an unknown starter.
const icu::Normalizer2& normalizer(NormalForm form)
{
    struct Filtered {
        icu::UnicodeSet set;
        std::unique_ptr<icu::FilteredNormalizer2> forms[4];
        UErrorCode status = U_ZERO_ERROR;
        Filtered() : set(icu::UnicodeString(u"[:age=9.0:]"), status)
        {
            if (U_FAILURE(status))
                return;
            set.freeze();
            const icu::Normalizer2* base[4] = {icu::Normalizer2::getNFCInstance(status),
                                               icu::Normalizer2::getNFDInstance(status),
                                               icu::Normalizer2::getNFKCInstance(status),
                                               icu::Normalizer2::getNFKDInstance(status)};
            if (U_FAILURE(status))
                return;
            for (int i = 0; i < 4; ++i)
                forms[i] = std::make_unique<icu::FilteredNormalizer2>(*base[i], set);
        }
    };
    static const Filtered filtered;
    if (U_FAILURE(filtered.status))
        throw Error(std::string("ICU normalizer unavailable: ") + u_errorName(filtered.status));
    switch (form) {
    case NormalForm::NFC: return *filtered.forms[0];
    case NormalForm::NFD: return *filtered.forms[1];
    case NormalForm::NFKC: return *filtered.forms[2];
    case NormalForm::NFKD: return *filtered.forms[3];
    }
    return *filtered.forms[0];
}
} // namespace

std::string normalize(std::string_view s, NormalForm form)
{
    if (isAscii(s))
        return std::string(s); // ASCII is invariant under all four forms
    if (s.size() > static_cast<std::size_t>(INT32_MAX))
        throw Error("text of " + std::to_string(s.size()) + " bytes is too long to normalize in one piece");
    const icu::Normalizer2& n = normalizer(form);
    UErrorCode status = U_ZERO_ERROR;
    const icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
    if (n.isNormalizedUTF8(piece, status) && U_SUCCESS(status))
        return std::string(s);
    status = U_ZERO_ERROR;
    std::string out;
    out.reserve(s.size() + 16);
    icu::StringByteSink<std::string> sink(&out);
    n.normalizeUTF8(0, piece, sink, nullptr, status);
    if (U_FAILURE(status))
        throw Error(std::string("Unicode normalization failed: ") + u_errorName(status));
    return out;
}

void normalizeInPlace(std::string& s, NormalForm form)
{
    if (isAscii(s))
        return;
    if (s.size() > static_cast<std::size_t>(INT32_MAX))
        throw Error("text of " + std::to_string(s.size()) + " bytes is too long to normalize in one piece");
    const icu::Normalizer2& n = normalizer(form);
    UErrorCode status = U_ZERO_ERROR;
    const icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
    if (n.isNormalizedUTF8(piece, status) && U_SUCCESS(status))
        return;
    s = normalize(s, form);
}

std::string lowercase(std::string_view s)
{
    if (isAscii(s)) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return out;
    }
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    u.toLower(icu::Locale::getRoot());
    std::string out;
    u.toUTF8String(out);
    return out;
}

bool isWhitespace(char32_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    return u_isUWhiteSpace(static_cast<UChar32>(c));
}

bool isWordChar(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    const auto cp = static_cast<UChar32>(c);
    if (u_hasBinaryProperty(cp, UCHAR_ALPHABETIC) || u_hasBinaryProperty(cp, UCHAR_JOIN_CONTROL))
        return true;
    const int32_t mask = U_GET_GC_MASK(cp);
    return (mask & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0;
}

namespace {
struct ByteLevelTables {
    std::array<char32_t, 256> byteToCp{};
    std::array<int16_t, 512> cpToByte{};
    ByteLevelTables()
    {
        cpToByte.fill(-1);
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteToCp[b] = printable ? char32_t(b) : char32_t(0x100 + n++);
            cpToByte[byteToCp[b]] = static_cast<int16_t>(b);
        }
    }
};
const ByteLevelTables& byteLevelTables()
{
    static const ByteLevelTables t;
    return t;
}
} // namespace

const std::array<char32_t, 256>& byteToCodePoint() { return byteLevelTables().byteToCp; }

int codePointToByte(char32_t c) { return c < 512 ? byteLevelTables().cpToByte[c] : -1; }

} // namespace teft::text
