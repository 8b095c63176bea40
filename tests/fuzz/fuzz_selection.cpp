// Fuzz target: expert selection files (core/teft/ExpertSelection) in all three shapes (teft's own,
// Connito's expert_assignment.json, ESFT's expert config): the input is the file, read with
// ExpertSelection::load. An accepted selection must survive a round trip through each of the three
// shapes unchanged, and give the same hash after it.

#include "core/io/StrictJson.h"
#include "core/teft/ExpertSelection.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto path = teft::fuzz::writeScratch("selection.json", {reinterpret_cast<const char*>(data), size});
    return teft::fuzz::acceptTeftErrors([&] {
        const teft::ExpertSelection s = teft::ExpertSelection::load(path.string());
        const std::string hash = s.hash();
        int total = 0;
        for (const auto& [layer, experts] : s.layers()) {
            TEFT_FUZZ_CHECK(!experts.empty());
            for (std::size_t i = 0; i < experts.size(); ++i) {
                TEFT_FUZZ_CHECK(s.contains(layer, experts[i]));
                if (i > 0)
                    TEFT_FUZZ_CHECK(experts[i - 1] < experts[i]);
            }
            total += static_cast<int>(experts.size());
        }
        TEFT_FUZZ_CHECK(total == s.count());
        // Each shape written out is read back as the same selection (through the text, as a file would be).
        const auto reparse = [](const nlohmann::json& j) { return teft::parseJsonStrict(j.dump(), "round trip"); };
        const auto ours = teft::ExpertSelection::fromJson(reparse(s.toJson()));
        TEFT_FUZZ_CHECK(ours == s);
        const auto connito = teft::ExpertSelection::fromConnitoJson(reparse(s.toConnitoJson()), s.modelFingerprint());
        TEFT_FUZZ_CHECK(connito == s);
        const auto esft = teft::ExpertSelection::fromEsftJson(reparse(s.toEsftJson()), s.modelFingerprint());
        TEFT_FUZZ_CHECK(esft == s);
        TEFT_FUZZ_CHECK(teft::ExpertSelection::fromAnyJson(reparse(s.toJson())) == s);
        TEFT_FUZZ_CHECK(ours.hash() == hash);
        (void)s.cost(3 * 64 * 128, 2 * 3 * 64 * 128, 1LL << 30);
    });
}
