// Demo steps 1 and 2: the corpus and foundation model, then one token dataset per domain.
#include "core/demo/DemoCorpus.h"
#include "core/demo/DemoSteps.h"
#include "core/text/Tokenizer.h"

#include <spdlog/spdlog.h>

namespace teft {

DemoFoundation demoFoundation(const DemoContext& ctx)
{
    spdlog::info("demo: corpus and foundation model");
    DemoFoundation f;
    f.corpus = ensureDemoCorpus(ctx.settings.model, ctx.control);
    f.info = ensureDemoModel(ctx.settings.model, ctx.control);
    f.config = ModelConfig::load(f.modelDir());
    return f;
}

nlohmann::json foundationJson(const DemoFoundation& f)
{
    auto j = f.info.toJson();
    // The shape, for the report's table (which reads nothing but the report).
    j["layers"] = f.config.numLayers;
    j["experts"] = f.config.numExperts;
    j["top_k"] = f.config.topK;
    j["parameters"] = f.config.paramsTotal();
    return j;
}

DemoDatasets demoDatasets(const DemoContext& ctx, const DemoFoundation& f)
{
    const auto tokenizer = Tokenizer::fromFile(f.modelDir());
    const auto& domains = demoDomains();
    DemoDatasets data;
    for (std::size_t i = 0; i < domains.size(); ++i) {
        DatasetSpec spec;
        spec.paths = {f.corpus[i]};
        PackingOptions po;
        po.seqLen = ctx.settings.model.seqLen;
        po.seed = ctx.settings.model.seed;
        data.emplace(domains[i], TokenDataset::build(spec, tokenizer, po, ctx.control));
    }
    return data;
}

} // namespace teft
