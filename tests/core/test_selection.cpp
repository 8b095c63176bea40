// Expert identification: routing statistics, selection files and selection policies, checked
// against hand computations on small hand-made statistics.
#include "core/teft/ExpertSelection.h"
#include "core/teft/RoutingStats.h"
#include "core/teft/SelectionPolicy.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;
using nlohmann::json;

namespace {
// Two MoE layers (model layers 1 and 3), 4 experts, top-2, 10 tokens each.
//   layer 1 counts 8 6 4 2  -> token share .4 .3 .2 .1 ; gate mass 3 4 2 1 -> gate score .3 .4 .2 .1
//   layer 3 counts 0 2 10 8 -> token share 0 .1 .5 .4 ; gate mass 0 1 6 3 -> gate score 0 .1 .6 .3
RoutingStats handStats(const std::vector<double>& c1, const std::vector<double>& g1, const std::vector<double>& c3,
                       const std::vector<double>& g3)
{
    RoutingStats s({1, 3}, 4, 2);
    s.modelFingerprint = "fp-test";
    const std::vector<const std::vector<double>*> cs{&c1, &c3}, gs{&g1, &g3};
    for (int r = 0; r < 2; ++r) {
        s.addTokens(r, 10);
        for (int e = 0; e < 4; ++e) {
            const int n = static_cast<int>((*cs[r])[e]);
            for (int i = 0; i < n; ++i)
                s.add(r, e, (*gs[r])[e] / n);
        }
    }
    return s;
}
RoutingStats target() { return handStats({8, 6, 4, 2}, {3, 4, 2, 1}, {0, 2, 10, 8}, {0, 1, 6, 3}); }
// Reference: layer 1 shares .1 .3 .2 .4, layer 3 shares 0 .5 .1 .4.
RoutingStats reference() { return handStats({2, 6, 4, 8}, {1, 3, 2, 4}, {0, 10, 2, 8}, {0, 5, 1, 4}); }

template <typename F>
QString thrownMessage(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}
} // namespace

class TestSelection : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(1); }

    void statsMetricsMatchHandValues()
    {
        const RoutingStats s = target();
        QCOMPARE(s.tokens(), std::int64_t(10));
        const double share1[4] = {.4, .3, .2, .1}, gate1[4] = {.3, .4, .2, .1};
        const double share3[4] = {0, .1, .5, .4}, gate3[4] = {0, .1, .6, .3};
        for (int e = 0; e < 4; ++e) {
            QVERIFY(std::abs(s.tokenShare(0, e) - share1[e]) < 1e-12);
            QVERIFY(std::abs(s.gateScore(0, e) - gate1[e]) < 1e-12);
            QVERIFY(std::abs(s.tokenShare(1, e) - share3[e]) < 1e-12);
            QVERIFY(std::abs(s.gateScore(1, e) - gate3[e]) < 1e-12);
        }
        const RoutingStats ref = reference();
        const auto diff = s.scores(RoutingMetric::ContrastDifference, &ref);
        const double want[8] = {.3, 0, 0, -.3, 0, -.4, .4, 0};
        for (int i = 0; i < 8; ++i)
            QVERIFY(std::abs(diff[i] - want[i]) < 1e-12);
        // Same N and k on both sides: the Laplace-smoothed log-ratio is ln((c_t+1)/(c_r+1)).
        const auto lr = s.scores(RoutingMetric::ContrastLogRatio, &ref);
        const double ct[8] = {8, 6, 4, 2, 0, 2, 10, 8}, cr[8] = {2, 6, 4, 8, 0, 10, 2, 8};
        for (int i = 0; i < 8; ++i)
            QVERIFY(std::abs(lr[i] - std::log((ct[i] + 1) / (cr[i] + 1))) < 1e-12);
        QVERIFY(thrownMessage([&] { s.scores(RoutingMetric::ContrastDifference); }).contains("reference"));
        QCOMPARE(s.rowOfLayer(3), 1);
        QCOMPARE(s.rowOfLayer(2), -1);
    }

    void accumulateCountsLikeALoop()
    {
        RoutingStats s({0, 2}, 5, 2);
        const auto ids = torch::randint(0, 5, {64, 2}, torch::kLong);
        const auto w = torch::rand({64, 2});
        s.accumulate(1, ids, w);
        s.accumulate(1, ids.slice(0, 0, 10), w.slice(0, 0, 10).to(torch::kBFloat16));
        double c[5] = {0}, g[5] = {0};
        auto addRows = [&](int n, bool bf16) {
            for (int t = 0; t < n; ++t)
                for (int j = 0; j < 2; ++j) {
                    const auto e = ids[t][j].item<std::int64_t>();
                    c[e] += 1;
                    auto wv = w[t][j];
                    g[e] += bf16 ? wv.to(torch::kBFloat16).item<double>() : wv.item<double>();
                }
        };
        addRows(64, false);
        addRows(10, true);
        QCOMPARE(s.tokens(1), std::int64_t(74));
        QCOMPARE(s.tokens(0), std::int64_t(0));
        for (int e = 0; e < 5; ++e) {
            QCOMPARE(s.count(1, e), c[e]);
            QVERIFY(std::abs(s.gateMass(1, e) - g[e]) < 1e-5);
            QCOMPARE(s.count(0, e), 0.0);
        }
        // Refusals name the problem.
        QVERIFY(thrownMessage([&] { s.accumulate(0, ids.slice(1, 0, 1), w.slice(1, 0, 1)); }).contains("top-k 2"));
        QVERIFY(thrownMessage([&] {
                    s.accumulate(0, torch::full({1, 2}, 5, torch::kLong), torch::ones({1, 2}));
                }).contains("expert id 5"));
        QVERIFY(thrownMessage([&] { s.accumulate(2, ids, w); }).contains("row 2"));
        QVERIFY(thrownMessage([&] { s.accumulate(0, ids, w.slice(0, 0, 3)); }).contains("[tokens, k]"));
    }

    void mergeAndJsonRoundTrip()
    {
        RoutingStats a({0, 2}, 5, 2), b({0, 2}, 5, 2), whole({0, 2}, 5, 2);
        const auto ids = torch::randint(0, 5, {40, 2}, torch::kLong);
        const auto w = torch::rand({40, 2}, torch::kDouble);
        a.accumulate(0, ids.slice(0, 0, 15), w.slice(0, 0, 15));
        b.accumulate(0, ids.slice(0, 15), w.slice(0, 15));
        whole.accumulate(0, ids, w);
        a.merge(b);
        QCOMPARE(a.counts(), whole.counts());
        for (std::size_t i = 0; i < a.gateMasses().size(); ++i)
            QVERIFY(std::abs(a.gateMasses()[i] - whole.gateMasses()[i]) < 1e-12);
        QCOMPARE(a.tokens(0), whole.tokens(0));
        RoutingStats other({0, 1}, 5, 2);
        QVERIFY(thrownMessage([&] { a.merge(other); }).contains("different models"));

        a.dataset = "code";
        const auto dir = test::freshDir("stats");
        a.save((dir / "s.json").string());
        const RoutingStats back = RoutingStats::load((dir / "s.json").string());
        QVERIFY(back.sameShape(a));
        QCOMPARE(back.counts(), a.counts());
        QCOMPARE(back.gateMasses(), a.gateMasses());
        QCOMPARE(back.tokens(0), a.tokens(0));
        QCOMPARE(back.dataset, std::string("code"));

        json j = a.toJson();
        j["counts"][1] = json::array({1, 2});
        QVERIFY(thrownMessage([&] { RoutingStats::fromJson(j); }).contains("\"counts\" row 1"));
        j = a.toJson();
        j["format"] = "other";
        QVERIFY(thrownMessage([&] { RoutingStats::fromJson(j); }).contains("format"));
    }

    void selectionBasicsAndHash()
    {
        ExpertSelection s("fp");
        s.set(3, 2, true);
        s.set(1, 1, true);
        s.set(1, 0, true);
        QVERIFY(s.toggle(1, 5));
        QVERIFY(!s.toggle(1, 5));
        QCOMPARE(s.experts(1), (std::vector<int>{0, 1}));
        QCOMPARE(s.count(), 3);
        QCOMPARE(s.count(1), 2);
        QVERIFY(s.contains(3, 2));
        QVERIFY(!s.contains(3, 1));
        QCOMPARE(s.canonicalText(), std::string("teft-selection-v1\n1:0,1\n3:2\n"));
        QCOMPARE(s.hash(), sha256Hex("teft-selection-v1\n1:0,1\n3:2\n"));

        ExpertSelection t;
        t.setLayer(3, {2, 2});
        t.setLayer(1, {1, 0});
        t.setLayer(7, {});
        QCOMPARE(t.hash(), s.hash()); // order and fingerprint do not matter
        t.set(3, 2, false);
        QVERIFY(t.hash() != s.hash());
        QCOMPARE(t.layerIndices(), (std::vector<int>{1}));
    }

    void selectionFilesRoundTrip()
    {
        ExpertSelection s("fp-1");
        s.setLayer(1, {0, 5, 9});
        s.setLayer(4, {3});
        // Ours.
        const auto dir = test::freshDir("selection");
        s.save((dir / "sel.json").string());
        QVERIFY(ExpertSelection::load((dir / "sel.json").string()) == s);
        json j = s.toJson();
        j["layers"]["4"] = json::array({3, 6});
        QVERIFY(thrownMessage([&] { ExpertSelection::fromJson(j); }).contains("hash"));
        j.erase("hash");
        QCOMPARE(ExpertSelection::fromJson(j).experts(4), (std::vector<int>{3, 6}));

        // Connito: {"<layer>": [[local_idx, expert_id], ...]}.
        const json c = s.toConnitoJson();
        QCOMPARE(c, json::parse(R"({"1": [[0,0],[1,5],[2,9]], "4": [[0,3]]})"));
        ExpertSelection fromC = ExpertSelection::fromConnitoJson(c, "fp-1");
        QVERIFY(fromC == s);
        const auto handC = ExpertSelection::fromAnyJson(json::parse(R"({"2": [[1, 7], [0, 3]]})"));
        QCOMPARE(handC.experts(2), (std::vector<int>{3, 7}));
        QVERIFY(thrownMessage([] {
                    ExpertSelection::fromConnitoJson(json::parse(R"({"2": [[0, 7, 1]]})"));
                }).contains("[0,7,1]"));
        QVERIFY(thrownMessage([] {
                    ExpertSelection::fromConnitoJson(json::parse(R"({"2": [[0, 7], [1, 7]]})"));
                }).contains("expert 7 twice"));
        QVERIFY(thrownMessage([] {
                    ExpertSelection::fromConnitoJson(json::parse(R"({"2": [[0, 7], [2, 8]]})"));
                }).contains("local indices"));
        QVERIFY(thrownMessage([] {
                    ExpertSelection::fromConnitoJson(json::parse(R"({"x2": [[0, 7]]})"));
                }).contains("\"x2\""));
        QVERIFY(
            thrownMessage([] { ExpertSelection::fromConnitoJson(json::parse(R"({"2": [[0, -1]]})")); }).contains("-1"));
        // Found by tests/fuzz: " 2" and "+2" were read as layer 2 (a second entry for it), and a
        // "format" that is not a string escaped as nlohmann's type_error.
        for (const char* key : {" 2", "+2", "2 "})
            QVERIFY(thrownMessage([&] {
                        ExpertSelection::fromConnitoJson(json{{key, json::array({json::array({0, 7})})}});
                    }).contains("is not a non-negative layer index"));
        QVERIFY(thrownMessage([] {
                    ExpertSelection::fromAnyJson(json::parse(R"({"format": 1})"));
                }).contains("Not a TEFT expert selection"));

        // ESFT: {"experts": {...}, "shared_experts": bool, "non_expert_modules": bool}.
        const json e = s.toEsftJson();
        QCOMPARE(e, json::parse(R"({"experts": {"1": [0,5,9], "4": [3]}, "shared_experts": false,
                                    "non_expert_modules": false})"));
        QVERIFY(ExpertSelection::fromEsftJson(e, "fp-1") == s);
        QVERIFY(ExpertSelection::fromAnyJson(e).experts(1) == s.experts(1));
        json bad = e;
        bad["shared_experts"] = true;
        QVERIFY(thrownMessage([&] { ExpertSelection::fromEsftJson(bad); }).contains("shared_experts"));
        bad = e;
        bad["experts"]["1"] = json::array({1, "two"});
        QVERIFY(thrownMessage([&] { ExpertSelection::fromEsftJson(bad); }).contains("\"two\""));
        QVERIFY(
            thrownMessage([&] { ExpertSelection::load((dir / "missing.json").string()); }).contains("missing.json"));
    }

    void validationNamesTheBadEntry()
    {
        MoeLayout m;
        m.numLayers = 4;
        m.moeLayers = {1, 2, 3};
        m.numExperts = 8;
        m.topK = 2;
        m.fingerprint = "fp-model";
        ExpertSelection ok("fp-model");
        ok.setLayer(1, {0, 7});
        QVERIFY(ok.validate(m).empty());
        ok.validateOrThrow(m);

        ExpertSelection s("other-fp");
        s.setLayer(0, {1});
        s.setLayer(2, {3, 8});
        s.setLayer(6, {1});
        const auto problems = s.validate(m);
        QCOMPARE(problems.size(), std::size_t(4));
        QVERIFY(QString::fromStdString(problems[0]).contains("other-fp"));
        QVERIFY(QString::fromStdString(problems[1]).contains("Layer 0 is not a MoE layer"));
        QVERIFY(QString::fromStdString(problems[2]).contains("Layer 2: expert 8 does not exist"));
        QVERIFY(QString::fromStdString(problems[3]).contains("Layer 6 does not exist"));
        QVERIFY(thrownMessage([&] { s.validateOrThrow(m); }).contains("Layer 6"));
    }

    void costSummary()
    {
        ExpertSelection s;
        s.setLayer(1, {0, 1});
        s.setLayer(3, {2});
        const auto c = s.cost(1000, 2000, 60000);
        QCOMPARE(c.experts, std::int64_t(3));
        QCOMPARE(c.trainableParameters, std::int64_t(3000));
        QCOMPARE(c.submissionBytes, std::int64_t(6000));
        QCOMPARE(c.shareOfModel, 0.1);
        QCOMPARE(c.expertsPerLayer.at(1), 2);
        QCOMPARE(c.expertsPerLayer.at(3), 1);
    }

    void topPFollowsEsft()
    {
        const RoutingStats s = target();
        SelectionPolicy p;
        p.kind = SelectionPolicy::Kind::TopPPerLayer;
        p.p = 0.5;
        // Layer 1: .4 < .5 -> take e1 too (cum .7). Layer 3: e2 alone reaches .5.
        auto sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0, 1}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2}));
        QCOMPARE(sel.modelFingerprint(), std::string("fp-test"));
        p.p = 0.2; // the first expert already crosses p in both layers
        sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2}));
        p.p = 0.7; // exactly reached at .4 + .3 (rounding tolerated)
        sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0, 1}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2, 3}));
        p.p = 1.0; // every expert with a positive share, but not the never-routed one
        sel = selectExperts(s, p);
        QCOMPARE(sel.count(1), 4);
        QCOMPARE(sel.experts(3), (std::vector<int>{1, 2, 3}));
        p.metric = RoutingMetric::GateScore;
        p.p = 0.5; // gate scores layer 1 .3 .4 .2 .1 -> e1 (.4), e0 (.7)
        sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0, 1}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2})); // .6
        p.p = 1.5;
        QVERIFY(thrownMessage([&] { selectExperts(s, p); }).contains("(0, 1]"));
    }

    void topKAndTies()
    {
        const RoutingStats s = target();
        SelectionPolicy p;
        p.kind = SelectionPolicy::Kind::TopKPerLayer;
        p.k = 2;
        auto sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0, 1}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2, 3}));
        p.k = 4;
        QCOMPARE(selectExperts(s, p).experts(3), (std::vector<int>{1, 2, 3}));
        p.positiveOnly = false;
        QCOMPARE(selectExperts(s, p).experts(3), (std::vector<int>{0, 1, 2, 3}));
        p.k = 1;
        p.metric = RoutingMetric::GateScore;
        sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{1}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2}));
        p.onlyLayers = {3};
        sel = selectExperts(s, p);
        QCOMPARE(sel.layerIndices(), (std::vector<int>{3}));
        p.onlyLayers = {2};
        QVERIFY(thrownMessage([&] { selectExperts(s, p); }).contains("layer 2"));

        RoutingStats flat({0}, 4, 1);
        flat.addTokens(0, 4);
        for (int e = 0; e < 4; ++e)
            flat.add(0, e, 1.0);
        SelectionPolicy one;
        one.kind = SelectionPolicy::Kind::TopKPerLayer;
        one.k = 2;
        QCOMPARE(selectExperts(flat, one).experts(0), (std::vector<int>{0, 1}));
    }

    void globalBudgetAndContrast()
    {
        const RoutingStats s = target();
        SelectionPolicy p;
        p.kind = SelectionPolicy::Kind::GlobalBudget;
        p.maxExperts = 3;
        // Ranked: L3e2 .5, L1e0 .4, L3e3 .4 (tie: layer 1 first), L1e1 .3 ...
        auto sel = selectExperts(s, p);
        QCOMPARE(sel.experts(1), (std::vector<int>{0}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2, 3}));
        p.maxExperts = 0;
        p.maxBytes = 250;
        p.bytesPerExpert = 100;
        sel = selectExperts(s, p);
        QCOMPARE(sel.count(), 2);
        QVERIFY(sel.contains(3, 2) && sel.contains(1, 0));
        p.bytesPerExpert = 0;
        QVERIFY(thrownMessage([&] { selectExperts(s, p); }).contains("bytes per expert"));

        const RoutingStats ref = reference();
        SelectionPolicy c;
        c.kind = SelectionPolicy::Kind::TopKPerLayer;
        c.k = 2;
        c.metric = RoutingMetric::ContrastDifference;
        // Differences: layer 1 .3 0 0 -.3 ; layer 3 0 -.4 .4 0 -> only the positive ones.
        sel = selectExperts(s, c, &ref);
        QCOMPARE(sel.experts(1), (std::vector<int>{0}));
        QCOMPARE(sel.experts(3), (std::vector<int>{2}));
        QVERIFY(thrownMessage([&] { selectExperts(s, c); }).contains("reference"));
        c.metric = RoutingMetric::ContrastLogRatio;
        c.k = 1;
        sel = selectExperts(s, c, &ref);
        QCOMPARE(sel.experts(1), (std::vector<int>{0})); // ln 9/3
        QCOMPARE(sel.experts(3), (std::vector<int>{2})); // ln 11/3

        applyEdits(sel, {{1, 3, true}, {3, 2, false}, {5, 0, true}, {5, 0, false}});
        QCOMPARE(sel.experts(1), (std::vector<int>{0, 3}));
        QVERIFY(sel.experts(3).empty());
        QCOMPARE(sel.layerIndices(), (std::vector<int>{1}));

        const auto back = SelectionPolicy::fromJson(p.toJson());
        QCOMPARE(back.toJson(), p.toJson());
    }
};

QTEST_APPLESS_MAIN(TestSelection)
#include "test_selection.moc"
