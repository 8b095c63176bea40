// Fuzz target: a model's config.json (core/model/ModelConfig): the input is the file, read the
// way `teft model ...` reads it (ModelConfig::load on its folder); an accepted config then has
// every size the engine derives from it computed.

#include "core/model/ModelConfig.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    teft::fuzz::writeScratch("config.json", {reinterpret_cast<const char*>(data), size});
    return teft::fuzz::acceptTeftErrors([&] {
        const teft::ModelConfig c = teft::ModelConfig::load(teft::fuzz::scratchDir());
        const auto layers = c.moeLayers();
        TEFT_FUZZ_CHECK(static_cast<std::int64_t>(layers.size()) <= c.numLayers);
        if (!layers.empty()) {
            TEFT_FUZZ_CHECK(c.firstMoeLayer() == layers.front());
            TEFT_FUZZ_CHECK(c.lastMoeLayer() == layers.back());
            for (int e : {0, static_cast<int>(c.numExperts - 1)}) {
                for (const auto& name : c.expertTensorNames(layers.back(), e)) {
                    int layer = -1, expert = -1, part = -1;
                    TEFT_FUZZ_CHECK(c.parseExpertTensorName(name, layer, expert, part));
                    TEFT_FUZZ_CHECK(layer == layers.back() && expert == e);
                }
            }
        }
        (void)c.paramsPerExpert();
        (void)c.storageDtype();
        (void)c.bytesPerExpert();
        (void)c.paramsTotal();
        (void)c.paramsActive();
        (void)c.attentionParams();
    });
}
