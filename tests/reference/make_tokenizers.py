#!/usr/bin/env python3
"""Byte-level BPE tokenizers built here by Hugging Face `tokenizers`, in the layouts of the real
Qwen3 and DeepSeek-V3 tokenizer.json files, for the tokenizer tests that must not depend on the
shared test data (../shared/testdata holds the real files; CI may lack them).

Each tokenizer is trained by `tokenizers.trainers.BpeTrainer` on a corpus this script generates
(tokenizer_cases.Generator with its own seed: every Unicode plane, whitespace runs, numbers, code,
contractions), so the vocabulary and merges come from the library, not from us. The
configuration around the model follows the real files as ../shared/specs/formats.md describes
them:

* qwen3_style: normalizer NFC; pre_tokenizer Sequence[Split(Qwen2's regex, Isolated),
  ByteLevel(use_regex=false)]; ByteLevel post-processor and decoder; merges as [a, b] pairs;
  added tokens after the vocabulary (special ones and two non-special, not normalized);
  tokenizer_class Qwen2Tokenizer.
* deepseek_v3_style: an empty normalizer Sequence; pre_tokenizer Sequence[Split(digits{1,3}),
  Split(CJK/kana runs), Split(DeepSeek's word regex), ByteLevel(trim_offsets)]; ByteLevel
  post-processor and decoder with add_prefix_space; merges as "a b" strings; the special tokens
  first (ids 0..2) and normalized non-special added tokens after the vocabulary;
  tokenizer_class LlamaTokenizerFast with add_bos_token (which transformers 5 ignores, see
  tokenizer_cases.py).

Usage: make_tokenizers.py --out DIR [--vocab N] [--corpus N] [--seed S]
writes DIR/qwen3_style/{tokenizer.json,tokenizer_config.json} and DIR/deepseek_v3_style/...
"""

import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_cases import Generator  # noqa: E402

QWEN_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
              r"|\s*[\r\n]+|\s+(?!\S)|\s+")
DEEPSEEK_REGEXES = [
    r"\p{N}{1,3}",
    "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
    "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
]


def split(regex):
    return {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False}


def byte_level(add_prefix_space, trim_offsets, use_regex):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": trim_offsets,
            "use_regex": use_regex}


STYLES = {
    "qwen3_style": {
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [split(QWEN_REGEX), byte_level(False, False, False)]},
        "post_processor": byte_level(False, False, False),
        "decoder": byte_level(False, False, False),
        "leading_special": [],
        "trailing_special": ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<|vision_pad|>"],
        "trailing_plain": ["<think>", "</think>"],
        "plain_normalized": False,
        "merges_as_strings": False,
        "config": {"tokenizer_class": "Qwen2Tokenizer", "add_bos_token": False, "add_prefix_space": False,
                   "bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None,
                   "clean_up_tokenization_spaces": False, "errors": "replace", "split_special_tokens": False,
                   "model_max_length": 131072},
    },
    "deepseek_v3_style": {
        "normalizer": {"type": "Sequence", "normalizers": []},
        "pre_tokenizer": {"type": "Sequence",
                          "pretokenizers": [split(r) for r in DEEPSEEK_REGEXES] + [byte_level(False, True, False)]},
        "post_processor": byte_level(True, False, True),
        "decoder": byte_level(True, True, True),
        "leading_special": ["<\uff5cbegin\u2581of\u2581sentence\uff5c>", "<\uff5cend\u2581of\u2581sentence\uff5c>",
                            "<\uff5c\u2581pad\u2581\uff5c>"],
        "trailing_special": [],
        "trailing_plain": ["<\uff5cUser\uff5c>", "<\uff5cAssistant\uff5c>", "<\uff5ctool\u2581sep\uff5c>",
                           "<\uff5cplace\u2581holder\u2581no\u25811\uff5c>"],
        "plain_normalized": True,
        "merges_as_strings": True,
        "config": {"tokenizer_class": "LlamaTokenizerFast", "add_bos_token": True, "add_eos_token": False,
                   "bos_token": "<\uff5cbegin\u2581of\u2581sentence\uff5c>",
                   "eos_token": "<\uff5cend\u2581of\u2581sentence\uff5c>",
                   "pad_token": "<\uff5cend\u2581of\u2581sentence\uff5c>", "unk_token": None, "legacy": True,
                   "clean_up_tokenization_spaces": False, "model_max_length": 131072},
    },
}


def corpus(seed, count, added):
    rng = random.Random(f"{seed}:corpus")
    gen = Generator(rng, added, ["<s>", "</s>"])
    return [gen.case(n)[1] for n in range(count)]


def build(name, out_dir, vocab, count, seed):
    import tokenizers

    style = STYLES[name]
    skeleton = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
                "normalizer": style["normalizer"], "pre_tokenizer": style["pre_tokenizer"],
                "post_processor": style["post_processor"], "decoder": style["decoder"],
                "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                          "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                          "ignore_merges": False, "vocab": {}, "merges": []}}
    tok = tokenizers.Tokenizer.from_str(json.dumps(skeleton))
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=2, show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[tokenizers.AddedToken(t, special=True, normalized=False) for t in style["leading_special"]])
    added = style["leading_special"] + style["trailing_special"] + style["trailing_plain"]
    tok.train_from_iterator(corpus(seed, count, added), trainer=trainer)
    tok.add_special_tokens([tokenizers.AddedToken(t, special=True, normalized=False)
                            for t in style["trailing_special"]])
    tok.add_tokens([tokenizers.AddedToken(t, special=False, normalized=style["plain_normalized"])
                    for t in style["trailing_plain"]])

    data = json.loads(tok.to_str())
    merges = data["model"]["merges"]
    if style["merges_as_strings"]:
        data["model"]["merges"] = [m if isinstance(m, str) else " ".join(m) for m in merges]
    else:
        data["model"]["merges"] = [m.split(" ") if isinstance(m, str) else m for m in merges]
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False)
    tokenizers.Tokenizer.from_str(text)  # the library accepts what it will be read from
    for file, content in (("tokenizer.json", text), ("tokenizer_config.json", json.dumps(style["config"], indent=1))):
        tmp = os.path.join(folder, file + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(tmp, os.path.join(folder, file))
    return tok.get_vocab_size(with_added_tokens=True), len(merges)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=6000, help="vocabulary size the trainer aims for")
    ap.add_argument("--corpus", type=int, default=30000, help="generated training strings")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--names", default=",".join(STYLES))
    a = ap.parse_args()
    for name in [n for n in a.names.split(",") if n]:
        if name not in STYLES:
            sys.exit(f"make_tokenizers.py: unknown style '{name}' (known: {', '.join(STYLES)})")
        size, merges = build(name, a.out, a.vocab, a.corpus, a.seed)
        print(f"{name}: {size} tokens, {merges} merges", file=sys.stderr)


if __name__ == "__main__":
    main()
