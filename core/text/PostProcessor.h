#pragma once

// Post-processors of tokenizer.json ("post_processor"), for single sequences: TemplateProcessing
// (e.g. "<s> $A" or "$A </s>"), BertProcessing, RobertaProcessing, ByteLevel (ids unchanged) and
// Sequence. Special tokens are only added when the caller asks for them.

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft::text {

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    virtual void process(std::vector<int32_t>& ids, bool addSpecialTokens) const = 0;

    static std::unique_ptr<PostProcessor> fromJson(const nlohmann::json& j,
                                                   const std::string& where = "post_processor");
};

} // namespace teft::text
