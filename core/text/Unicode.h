#pragma once

// UTF-8 and Unicode helpers for the tokenizer: decoding/encoding code points, lossy repair of
// invalid UTF-8 (each maximal invalid subpart becomes U+FFFD, as Rust's from_utf8_lossy and
// Python's errors="replace" do), normalization forms and character classes (ICU), and the GPT-2
// byte-level alphabet.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace teft::text {

constexpr char32_t kReplacementChar = 0xFFFD;

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not valid UTF-8.
// When invalid, *invalidLength receives the length of the maximal invalid subpart (>= 1).
std::size_t validSequenceLength(std::string_view s, std::size_t i, std::size_t* invalidLength = nullptr);

// Decodes the code point at s[i] (which must start a valid sequence) and advances i.
char32_t decodeUtf8(std::string_view s, std::size_t& i);
void appendUtf8(std::string& out, char32_t cp);
std::string utf8(char32_t cp);

bool isValidUtf8(std::string_view s);
bool isAscii(std::string_view s);
// Valid UTF-8 copy of s: each maximal invalid subpart replaced by U+FFFD.
std::string repairUtf8(std::string_view s);

// Normalization forms (ICU) with Unicode 9.0 data, as Hugging Face tokenizers normalizes
// (characters assigned later are left alone). Input must be valid UTF-8.
enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalize(std::string_view s, NormalForm form);
// Normalizes `s` in place; copies nothing when it is already normalized (the common case).
void normalizeInPlace(std::string& s, NormalForm form);
// Full Unicode lowercase mapping (root locale).
std::string lowercase(std::string_view s);

// White_Space property (Rust char::is_whitespace, regex \s).
bool isWhitespace(char32_t c);
// Regex \w: alphabetic, marks, decimal digits, connector punctuation, join controls.
bool isWordChar(char32_t c);

// GPT-2 byte-level alphabet: byte -> code point, and back (-1 for a code point outside it).
const std::array<char32_t, 256>& byteToCodePoint();
int codePointToByte(char32_t c);

} // namespace teft::text
