// The link between the data path and teft::Tokenizer (kept apart so that packing itself can be
// driven by any TextEncoder).
#include "core/data/TokenDataset.h"
#include "core/text/Tokenizer.h"
#include "core/util/Error.h"

namespace teft {

TextEncoder TextEncoder::from(const Tokenizer& tokenizer)
{
    TextEncoder e;
    // The document separator: <|endoftext|> where the vocabulary has it (Qwen, OLMoE/GPT-NeoX
    // pretrain on documents separated by it, while instruct configs declare the end of a chat
    // turn, <|im_end|>, as EOS), else the declared EOS (</s> for Llama/Mixtral, DeepSeek's
    // end-of-sentence token), else a conventional name.
    std::optional<std::int32_t> eos = tokenizer.tokenToId("<|endoftext|>");
    if (!eos)
        eos = tokenizer.eosId();
    for (const char* name : {"</s>", "<|end_of_text|>"})
        if (!eos)
            eos = tokenizer.tokenToId(name);
    if (!eos)
        throw Error("The tokenizer declares no end-of-sequence token (eos_token in tokenizer_config.json) "
                    "and has none of <|endoftext|>, </s>, <|end_of_text|>");
    e.eosId = *eos;
    e.vocabSize = tokenizer.vocabSize();
    e.fingerprint = tokenizer.fingerprint();
    e.encodeBatch = [tokenizer](const std::vector<std::string>& texts, int threads) {
        return tokenizer.encodeBatch(texts, threads, false);
    };
    return e;
}

TokenDataset TokenDataset::build(const DatasetSpec& spec, const Tokenizer& tokenizer, const PackingOptions& options,
                                 JobControl& control)
{
    return build(spec, TextEncoder::from(tokenizer), options, control);
}

} // namespace teft
