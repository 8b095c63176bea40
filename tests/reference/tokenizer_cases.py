#!/usr/bin/env python3
"""Reference encodings for tests/core/test_tokenizer_reference.cpp and
tests/cli/test_cli_tokenize_reference.cpp.

Generates a deterministic set of test strings (all Unicode planes, whitespace runs, numbers,
source code, contractions, added tokens embedded in text, invalid UTF-8 byte strings, random id
sequences to decode) and writes, per tokenizer folder, `<name>.jsonl` into --out with what the
independent Hugging Face libraries produce:

* `tokenizers.Tokenizer.from_file(tokenizer.json)`: ids with add_special_tokens false and true,
  decode with skip_special_tokens false and true;
* transformers: the tokenizer loaded from the folder (local files only) with
  add_special_tokens=True, and its decode.

The first line of each file is a header ({"header": {...}}); every other line is one case:

  {"i": n, "kind": str, "text": str, "ids": [...], "ids_special": [...],
   "decoded": str, "decoded_skip": str, "hf_ids": [...], "hf_decoded": str, "cli": "file" | "text", "strings": n}

"cli" marks the inputs of tests/cli/test_cli_tokenize_reference.cpp: kind "cli_doc" cases are
documents made of 60 of the other strings (as raw bytes, invalid UTF-8 included) for --file, and a
few single strings go through --text.

Invalid UTF-8 cases (and cli_doc cases) add "bytes_hex" (the raw input, hex) and their "text" is the input decoded
with errors="replace" (each maximal invalid subpart -> U+FFFD, as Rust's from_utf8_lossy): the
Python libraries only take str, so the lossy string is what they encode. Decode-only cases
(kind "decode") have "ids" (random ids) and "decoded" / "decoded_skip" / "hf_decoded" only.

Every string is written with json.dumps(ensure_ascii=True): plain ASCII lines whose \\uXXXX
escapes (surrogate pairs above U+FFFF) any JSON reader turns back into the exact text.

transformers 5 and DeepSeek-V3: AutoTokenizer follows tokenizer_config.json's
"tokenizer_class": "LlamaTokenizerFast", whose v5 class replaces tokenizer.json's ByteLevel
pre-tokenizer and decoder with SentencePiece's Metaspace (huggingface/transformers#45488: spaces
vanish). The script probes AutoTokenizer against tokenizer.json on a few strings and, when they
disagree, uses transformers' PreTrainedTokenizerFast (TokenizersBackend), which loads tokenizer.json as it is;
the header says which loader was used and why ("hf_loader", "hf_autotokenizer_faithful",
"hf_autotokenizer_class"). Note that transformers 5 ignores add_bos_token / add_eos_token of
tokenizer_config.json when a tokenizer.json is present (the post-processor decides), so neither
Qwen3 nor DeepSeek-V3 gets a BOS from add_special_tokens=True; transformers 4 added one for
DeepSeek-V3.

Usage: tokenizer_cases.py --out DIR [--testdata DIR] [--names qwen3,deepseek_v3] [--count N]
       [--seed S] [--no-transformers]
"""

import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# --------------------------------------------------------------------------------------------
# Text generators (deterministic given the Random instance)
# --------------------------------------------------------------------------------------------

# (lo, hi) code point ranges, by theme.
RANGES = {
    "ascii": [(0x20, 0x7E)],
    "control": [(0x00, 0x1F), (0x7F, 0x9F)],
    "latin": [(0xA0, 0x24F), (0x1E00, 0x1EFF)],
    "combining": [(0x300, 0x36F), (0x1AB0, 0x1ACE), (0x1DC0, 0x1DFF), (0x20D0, 0x20F0), (0xFE20, 0xFE2F)],
    "greek_cyrillic": [(0x370, 0x3FF), (0x400, 0x52F)],
    "rtl": [(0x590, 0x5FF), (0x600, 0x6FF), (0x750, 0x77F), (0xFB1D, 0xFB4F), (0xFE70, 0xFEFC),
            (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0x10800, 0x1083F), (0x1EE00, 0x1EEFF)],
    "indic_se_asian": [(0x900, 0x97F), (0x980, 0x9FF), (0xB80, 0xBFF), (0xE00, 0xE7F), (0xE80, 0xEFF),
                       (0x1000, 0x109F), (0x1780, 0x17FF)],
    "cjk": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x3000, 0x303F), (0x3040, 0x30FF), (0xAC00, 0xD7A3),
            (0x1100, 0x11FF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x2F800, 0x2FA1F)],
    "cjk_ext": [(0x20000, 0x2A6DF), (0x2A700, 0x2EBEF), (0x2EBF0, 0x2EE5F), (0x30000, 0x323AF)],
    "emoji": [(0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF),
              (0x1FA70, 0x1FAFF), (0x2600, 0x27BF), (0x1F1E6, 0x1F1FF), (0x1F3FB, 0x1F3FF)],
    "symbols": [(0x2000, 0x206F), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2190, 0x23FF), (0x2500, 0x25FF),
                (0x1D400, 0x1D7FF), (0x1F100, 0x1F1FF), (0x2E80, 0x2EFF)],
    "smp_scripts": [(0x10000, 0x100FF), (0x10300, 0x1034F), (0x10400, 0x1044F), (0x11000, 0x1107F),
                    (0x12000, 0x123FF), (0x13000, 0x1342F), (0x16800, 0x16A3F), (0x1E900, 0x1E95F),
                    (0x11F00, 0x11F5F), (0x1E4D0, 0x1E4FF), (0x1E5D0, 0x1E5FF), (0x16D40, 0x16D7F)],
    "tags_vs": [(0xE0020, 0xE007F), (0xE0100, 0xE01EF), (0xFE00, 0xFE0F), (0x180B, 0x180F)],
    "private_use": [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)],
    # Unassigned (as of Unicode 15/16) and noncharacters, including whole empty planes.
    "unassigned": [(0x0378, 0x0379), (0x0380, 0x0383), (0x2FE0, 0x2FEF), (0xFFF0, 0xFFF8), (0xFDD0, 0xFDEF),
                   (0xFFFE, 0xFFFF), (0x1FFFE, 0x1FFFF), (0x3FFFE, 0x3FFFF), (0x40000, 0xDFFFF),
                   (0xE0080, 0xE00FF), (0x2FA20, 0x2FFFF), (0x323B0, 0x3FFFD), (0x1FB00, 0x1FBFF)],
    "spaces": [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200B),
               (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x2060), (0x3000, 0x3000), (0x180E, 0x180E),
               (0xFEFF, 0xFEFF)],
    "digits": [(0x30, 0x39), (0x660, 0x669), (0x6F0, 0x6F9), (0x966, 0x96F), (0xFF10, 0xFF19), (0xB2, 0xB3),
               (0xB9, 0xB9), (0xBC, 0xBE), (0x2150, 0x218B), (0x2460, 0x249B), (0x1D7CE, 0x1D7FF),
               (0x1F100, 0x1F10C), (0x10107, 0x10133)],
}
THEMES = sorted(RANGES)

WHITESPACE_PIECES = [" ", "  ", "    ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\r\n\r\n", " \n", "\n ",
                     "\x0b", "\x0c", "\u00a0", "\u3000", "\u2028", "\u2029", "\u0085", "\u1680", "\u2000",
                     "\u2003", "\u2009", "\u200a", "\u202f", "\u205f", "\u200b", "\ufeff", "\u180e", " \t \n"]

WORDS = ["the", "The", "THE", "hello", "world", "Hello", "naïve", "café", "Straße", "über", "日本語", "中文",
         "한국어", "Привет", "мир", "שלום", "مرحبا", "नमस्ते", "สวัสดี", "ελληνικά", "token", "tokenizer",
         "a", "I", "x", "ok", "don", "they", "we", "It", "DON", "we’re", "naive", "fiancée", "résumé",
         "Ǆ", "ﬁ", "ＡＢＣ", "𝐌𝐚𝐭𝐡", "İstanbul", "ǅungla", "ß", "ΣΑΣ", "ǈ", "Ⅻ", "½", "e\u0301", "a\u0308",
         "A\u030a", "\u1100\u1161\u11a8", "\u212b", "\u2126", "\u0958", "\u2adc", "\uf900", "\U0002f800"]

CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "’s", "’t",
                "'", "''", "'x", "'sx", "'tt", "'\u017f", "'\u212a", "'İ"]

CODE = [
    "def f(x):\n    return x**2  # ok\n",
    "int main() {\n\tfor (int i = 0; i < 10; ++i) printf(\"%d\\n\", i);\n\treturn 0;\n}\n",
    "const x = {a: [1, 2, 3], 'b': null, \"c\": `t ${y}`};\r\n",
    "#include <vector>\nstd::vector<int> v{1,2,3};\n",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC;",
    "<div class=\"a\">&nbsp;<br/></div>\n<!-- comment -->",
    "fn main() -> Result<(), Box<dyn Error>> { let s: &str = \"x\"; Ok(()) }",
    "if [ -f \"$HOME/.bashrc\" ]; then . ~/.bashrc; fi 2>&1 | tee /dev/null",
    "{\"key\": [1.5e-10, -3, true, null], \"nested\": {\"k\": \"v\\u00e9\"}}",
    "    \n        indented\n\t\tmixed\t \n",
    "x+=1;y-=2;z*=3;w/=4;a%=5;b<<=1;c>>=2;d&&e||!f;",
    "lambda x: [i for i in range(10) if i % 2 == 0]",
    "$ git commit -m 'fix: handle CRLF' && echo done\r\n",
    "@decorator\nclass A(B, metaclass=M):\n    __slots__ = ('a',)\n",
    "a_b_c = __init__ + __main__ ; CamelCaseName = snake_case_name",
    "https://example.com/path?q=1&r=%20x#frag user@example.org",
    "// TODO(me): fix ###  ***  ---  ___  ===  ~~~  ```python\nprint(1)\n```",
]


def rand_char(rng, theme):
    lo, hi = rng.choice(RANGES[theme])
    cp = rng.randint(lo, hi)
    if 0xD800 <= cp <= 0xDFFF:  # surrogates cannot be in UTF-8
        cp = 0xFFFD
    return chr(cp)


def rand_chars(rng, themes, n):
    return "".join(rand_char(rng, rng.choice(themes)) for _ in range(n))


def rand_whitespace(rng):
    return "".join(rng.choice(WHITESPACE_PIECES) for _ in range(rng.randint(1, 6)))


def rand_number(rng):
    k = rng.random()
    if k < 0.3:
        return str(rng.randint(0, 10 ** rng.randint(1, 40)))
    if k < 0.5:
        return f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 12)}f}"
    if k < 0.6:
        return f"{rng.uniform(-1, 1):.6e}"
    if k < 0.7:
        return ",".join(str(rng.randint(0, 999)).zfill(3) for _ in range(rng.randint(2, 6)))
    if k < 0.8:
        return "0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(rng.randint(1, 16)))
    return rand_chars(rng, ["digits"], rng.randint(1, 20))


def rand_word(rng):
    k = rng.random()
    if k < 0.5:
        return rng.choice(WORDS)
    if k < 0.8:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                       for _ in range(rng.randint(1, 15)))
    return rand_chars(rng, ["latin", "cjk", "greek_cyrillic", "rtl", "indic_se_asian"], rng.randint(1, 8))


class Generator:
    def __init__(self, rng, added_tokens, other_tokens):
        self.rng = rng
        self.added = added_tokens  # contents of this tokenizer's added tokens
        self.other = other_tokens  # another tokenizer's added tokens: plain text here

    def special(self):
        rng = self.rng
        k = rng.random()
        pool = self.added if k < 0.7 else self.other if k < 0.85 else None
        if pool:
            return rng.choice(pool)
        # Near misses: a prefix or suffix of a token, or a token with one character changed.
        t = rng.choice(self.added)
        cut = rng.randint(1, max(1, len(t) - 1))
        return rng.choice([t[:cut], t[cut:], t[:cut] + "x" + t[cut:], t.upper(), t + t[:cut]])

    def fragment(self):
        rng = self.rng
        k = rng.randrange(12)
        if k == 0:
            return rand_whitespace(rng)
        if k == 1:
            return rand_number(rng)
        if k == 2:
            return rng.choice(CODE)
        if k == 3:
            return rand_word(rng) + rng.choice(CONTRACTIONS)
        if k == 4:
            return self.special()
        if k == 5:
            return rand_chars(rng, THEMES, rng.randint(1, 12))
        if k == 6:
            return rand_chars(rng, [rng.choice(THEMES)], rng.randint(1, 12))
        if k == 7:
            return rng.choice(["!", "?", "...", ",", ";", ":", "—", "–", "(", ")", "[", "]", "\"", "«", "»",
                               "、", "。", "！", "？", "¿", "¡", "•", "·", "…", "%", "$", "€", "#", "@", "&"])
        return rand_word(rng)

    def mixed(self, max_fragments=12):
        rng = self.rng
        parts = []
        for _ in range(rng.randint(1, max_fragments)):
            parts.append(self.fragment())
            if rng.random() < 0.6:
                parts.append(rng.choice([" ", " ", " ", "\n", "", "  ", "\t"]))
        return "".join(parts)

    def case(self, n):
        """The n-th string: cycles through the kinds so that every kind is well represented."""
        rng = self.rng
        kinds = ["mixed", "plane", "whitespace", "numbers", "code", "contractions", "special", "normalization",
                 "long", "random_any"]
        kind = kinds[n % len(kinds)]
        if kind == "mixed":
            return kind, self.mixed()
        if kind == "plane":
            theme = THEMES[(n // len(kinds)) % len(THEMES)]
            s = rand_chars(rng, [theme], rng.randint(1, 40))
            if rng.random() < 0.5:
                s = rand_word(rng) + rng.choice([" ", "", "\n"]) + s + rng.choice([" ", "", " x"])
            return kind + ":" + theme, s
        if kind == "whitespace":
            parts = []
            for _ in range(rng.randint(1, 8)):
                parts.append(rand_whitespace(rng) if rng.random() < 0.6 else rand_word(rng))
            return kind, "".join(parts)
        if kind == "numbers":
            return kind, "".join(rand_number(rng) + rng.choice(["", " ", ", ", "\n", ".", "x", "-", "$"])
                                 for _ in range(rng.randint(1, 6)))
        if kind == "code":
            s = "".join(rng.choice(CODE) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.3:
                s = s.replace("\n", "\r\n")
            if rng.random() < 0.3:
                s = s.replace("    ", "\t")
            return kind, s
        if kind == "contractions":
            return kind, " ".join(rand_word(rng) + rng.choice(CONTRACTIONS) + rng.choice(["", "", " ", "s", "'"])
                                  for _ in range(rng.randint(1, 5)))
        if kind == "special":
            parts = []
            for _ in range(rng.randint(1, 6)):
                parts.append(self.special())
                parts.append(rng.choice(["", "", " ", "\n", "  ", "user", "x", "\n\n", " hi ", "你好"]))
            return kind, "".join(parts)
        if kind == "normalization":
            return kind, "".join(rng.choice(["e\u0301", "a\u0308", "A\u030a\u0323", "o\u0302\u0301", "\u1100\u1161",
                                             "\u1100\u1161\u11a8", "\uac00\u11a8", "\u212b", "\u2126", "\u212a",
                                             "\u0958", "\u2adc", "\uf900", "\U0002f800", "\u0344", "\u1e9b\u0323",
                                             "\u0e33", "\u0f73", "ﬁ", "①", "Ⅻ", "ｶ", "\u0301", "\u0300\u0301",
                                             "q\u0307\u0323", "\u00c5", "\u03d3", "\u1fee", " ", "x"])
                                 for _ in range(rng.randint(1, 12)))
        if kind == "long":
            k = rng.randrange(6)
            if k == 0:
                return kind, rng.choice("ab ") * rng.randint(100, 3000)
            if k == 1:
                return kind, "".join(rng.choice("0123456789") for _ in range(rng.randint(50, 500)))
            if k == 2:
                return kind, " " * rng.randint(50, 2000) + rand_word(rng) + "\n" * rng.randint(1, 300)
            if k == 3:
                return kind, rand_word(rng) * rng.randint(20, 200)
            if k == 4:
                return kind, "".join(self.mixed(20) for _ in range(rng.randint(3, 10)))
            return kind, rand_chars(rng, THEMES, rng.randint(200, 1500))
        # random_any: any scalar value at all, uniform over the code space.
        s = []
        for _ in range(rng.randint(1, 30)):
            cp = rng.randint(0, 0x10FFFF)
            s.append(chr(0xFFFD if 0xD800 <= cp <= 0xDFFF else cp))
        return kind, "".join(s)


FIXED = [
    "", " ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u3000", "a", "I'm", "don't", "THEY'RE",
    "Hello, my dog is cute", "Hello world!\n\n  123456 你好 <|im_start|>user",
    "def f(x):\n    return x**2  # ok", "\x00", "a\x00b", "\ufffd", "\U0010ffff", "\U000e0001",
    "👨‍👩‍👧‍👦 🏳️‍🌈 🇩🇪 ❤️ 👋🏽", "\u202eRTL override\u202c", "\u0645\u0631\u062d\u0628\u0627 123",
]


def invalid_utf8_cases(rng, count):
    """Byte strings that are not valid UTF-8, with valid text around the invalid parts."""
    bad = [b"\x80", b"\xbf", b"\xc0", b"\xc1\xbf", b"\xc0\x80", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80",
           b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
           b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80", b"\xfe", b"\xff", b"\xe4\xbd", b"\xe4",
           b"\xf0\x9f\x98", b"\xf0\x9f", b"\xc3", b"\xe2\x82", b"\x80\x80\x80", b"\xc3\xc3\xa9", b"\xe4\xbd\xe4\xbd\xa0"]
    good = ["a", "b c", " ", "\n", "你", "é", "😀", "<|im_start|>", "<｜begin▁of▁sentence｜>", "123", "don't", ""]
    out = []
    for n in range(count):
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append(rng.choice(bad) if rng.random() < 0.5 else rng.choice(good).encode())
        b = b"".join(parts)
        if n % 3 == 0:  # make sure it is invalid
            b += rng.choice(bad)
        try:
            b.decode("utf-8")
            b = rng.choice(bad) + b
        except UnicodeDecodeError:
            pass
        out.append(b)
    return out


# --------------------------------------------------------------------------------------------


def load_transformers(folder, tok):
    """transformers' tokenizer for the folder, as AutoTokenizer loads it, unless that encodes or
    decodes probe strings differently from tokenizer.json (then TokenizersBackend, see the module
    doc)."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    info = {}
    auto = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    info["hf_autotokenizer_class"] = type(auto).__name__
    probes = FIXED + ["Hello world", " two  spaces\n\nnew line", "中文 123456 x", "x <|im_start|> y"]
    mismatches = []
    for p in probes:
        want = tok.encode(p, add_special_tokens=False).ids
        got = auto(p, add_special_tokens=False)["input_ids"]
        if got != want or auto.decode(got) != tok.decode(want, skip_special_tokens=False):
            mismatches.append({"text": p, "ids": got, "tokenizers_ids": want, "decoded": auto.decode(got)})
    info["hf_autotokenizer_faithful"] = not mismatches
    if not mismatches:
        info["hf_loader"] = "AutoTokenizer"
        return auto, info
    info["hf_loader"] = "PreTrainedTokenizerFast"
    info["hf_loader_reason"] = (
        f"AutoTokenizer builds a {type(auto).__name__} that encodes {len(mismatches)} of {len(probes)} probe "
        "strings differently from tokenizer.json (huggingface/transformers#45488: tokenizer_class overrides the "
        "pre-tokenizer and decoder)")
    info["hf_autotokenizer_mismatches"] = mismatches[:3]
    return PreTrainedTokenizerFast.from_pretrained(folder, local_files_only=True), info


CLI_DOCS = 5  # documents per tokenizer for `teft tokenize --file`
CLI_PER_DOC = 60  # strings per document
CLI_TEXTS = 8  # single strings per tokenizer for `teft tokenize --text`


def generate(folder, name, out_path, count, seed, use_transformers, other_tokens):
    import tokenizers

    tok_json = json.load(open(os.path.join(folder, "tokenizer.json"), encoding="utf-8"))
    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    added = [t["content"] for t in tok_json.get("added_tokens", [])]

    rng = random.Random(f"{seed}:{name}")
    gen = Generator(rng, added, other_tokens)
    cases = [("fixed", s) for s in FIXED]
    # Every added token alone, and inside text.
    for t in added:
        cases.append(("added_token", t))
    for t in added[:200]:
        cases.append(("added_token", f"x{t}y {t}\n{t}{t} "))
    for n in range(count):
        cases.append(gen.case(n))
    invalid = invalid_utf8_cases(rng, max(50, count // 20))
    # For the command line (one process per input, so few inputs with much in them): documents of
    # CLI_PER_DOC strings each (raw bytes, invalid UTF-8 included) for --file, and a few single
    # strings for --text (no NUL: argv cannot hold it).
    raw = [s.encode() for _, s in cases] + invalid
    picks = rng.sample(range(len(raw)), min(len(raw), CLI_DOCS * CLI_PER_DOC))
    docs = []
    for d in range(0, len(picks), CLI_PER_DOC):
        sep = [b"\n", b" ", b"", b"\n\n"][(d // CLI_PER_DOC) % 4]
        docs.append(sep.join(raw[i] for i in picks[d:d + CLI_PER_DOC]))
    cli_text = set(i for i in rng.sample(range(len(cases)), CLI_TEXTS * 3)
                   if "\x00" not in cases[i][1] and len(cases[i][1]) < 1000)
    cli_text = set(sorted(cli_text)[:CLI_TEXTS])
    lossy = invalid + docs  # bytes that go in as they are; the libraries see the lossy string
    texts = [s for _, s in cases] + [b.decode("utf-8", errors="replace") for b in lossy]
    kinds = [k for k, _ in cases] + ["invalid_utf8"] * len(invalid) + ["cli_doc"] * len(docs)

    enc = tok.encode_batch(texts, add_special_tokens=False)
    enc_sp = tok.encode_batch(texts, add_special_tokens=True)
    ids = [e.ids for e in enc]
    ids_sp = [e.ids for e in enc_sp]
    decoded = tok.decode_batch(ids, skip_special_tokens=False)
    decoded_skip = tok.decode_batch(ids_sp, skip_special_tokens=True)

    # Decode-only cases: random ids (partial UTF-8 sequences, added tokens, ids past the vocabulary).
    vocab_size = tok.get_vocab_size(with_added_tokens=True)
    added_ids = [t["id"] for t in tok_json.get("added_tokens", [])]
    rand_ids = []
    for _ in range(max(100, count // 20)):
        seq = []
        for _ in range(rng.randint(0, 20)):
            r = rng.random()
            seq.append(rng.choice(added_ids) if r < 0.15 else rng.randrange(256) if r < 0.5
                       else vocab_size + rng.randrange(100) if r < 0.53 else rng.randrange(vocab_size))
        rand_ids.append(seq)
    rand_decoded = tok.decode_batch(rand_ids, skip_special_tokens=False)
    rand_decoded_skip = tok.decode_batch(rand_ids, skip_special_tokens=True)

    header = {"name": name, "folder": os.path.abspath(folder), "seed": seed, "tokenizers": tokenizers.__version__,
              "cases": len(texts), "decode_cases": len(rand_ids)}
    hf_ids = hf_decoded = hf_rand_decoded = None
    if use_transformers:
        import transformers
        hf, info = load_transformers(folder, tok)
        header.update(info)
        header["transformers"] = transformers.__version__
        hf_ids = hf(texts, add_special_tokens=True)["input_ids"]
        hf_decoded = [hf.decode(x) for x in hf_ids]
        hf_rand_decoded = [hf.decode(x) for x in rand_ids]


    with open(out_path, "w", encoding="ascii", newline="\n") as f:
        f.write(json.dumps({"header": header}, ensure_ascii=True) + "\n")
        for i, text in enumerate(texts):
            rec = {"i": i, "kind": kinds[i], "text": text, "ids": ids[i], "ids_special": ids_sp[i],
                   "decoded": decoded[i], "decoded_skip": decoded_skip[i]}
            if i >= len(cases):
                rec["bytes_hex"] = lossy[i - len(cases)].hex()
            if hf_ids is not None:
                rec["hf_ids"] = hf_ids[i]
                rec["hf_decoded"] = hf_decoded[i]
            if kinds[i] == "cli_doc":
                rec["cli"] = "file"
                rec["strings"] = CLI_PER_DOC
            elif i in cli_text:
                rec["cli"] = "text"
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")
        for k, seq in enumerate(rand_ids):
            rec = {"i": len(texts) + k, "kind": "decode", "ids": seq, "decoded": rand_decoded[k],
                   "decoded_skip": rand_decoded_skip[k]}
            if hf_rand_decoded is not None:
                rec["hf_decoded"] = hf_rand_decoded[k]
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")
    return header


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_data = os.environ.get("TEFT_TESTDATA_DIR") or os.path.join(here, "..", "..", "..", "shared", "testdata")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--testdata", default=default_data)
    ap.add_argument("--names", default="qwen3,deepseek_v3")
    ap.add_argument("--count", type=int, default=5000, help="generated strings per tokenizer (besides the fixed ones, each added token, and count/20 invalid "
                    "UTF-8 byte strings)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--no-transformers", action="store_true")
    a = ap.parse_args()

    names = [n for n in a.names.split(",") if n]
    os.makedirs(a.out, exist_ok=True)
    tokens = {}
    for n in names:
        path = os.path.join(a.testdata, n, "tokenizer.json")
        if not os.path.isfile(path):
            sys.exit(f"tokenizer_cases.py: {path} is missing")
        tokens[n] = [t["content"] for t in json.load(open(path, encoding="utf-8")).get("added_tokens", [])]
    for n in names:
        start = time.time()
        others = [t for m in tokens if m != n for t in tokens[m]] or ["<|im_start|>", "<s>", "</s>"]
        h = generate(os.path.join(a.testdata, n), n, os.path.join(a.out, n + ".jsonl"), a.count, a.seed,
                     not a.no_transformers, others)
        print(f"{n}: {h['cases']} strings + {h['decode_cases']} id sequences in {time.time() - start:.1f} s "
              f"(tokenizers {h['tokenizers']}, transformers {h.get('transformers', '-')} via "
              f"{h.get('hf_loader', '-')})", file=sys.stderr)


if __name__ == "__main__":
    main()
