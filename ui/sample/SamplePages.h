#pragma once

namespace teft::ui {

class MainWindow;
class MergePage;
class MinerDashboard;
class RoutingPage;
class ValidatorPage;

// Sample content for the screenshots (teft-studio --screenshot) and for tests that need a
// filled page: realistic but synthetic numbers, put in through each page's public setters as a
// controller would. Built as its own library (teft_ui_sample), linked by teft-studio for the
// --screenshot path only, by the GUI tests and the GUI benchmarks; a normal start never shows
// it.

// Routing statistics of an OLMoE-1B-7B-shaped model with a top-k selection to edit.
void showSampleRouting(RoutingPage& page);
// The curves of a past run, 120 of 200 inner steps.
void showSampleTraining(MinerDashboard& page);
// A scored round of seven miners (two refused by verification) after two outer steps.
void showSampleRound(ValidatorPage& page);
// A merge's comparison: in-domain losses fell, out-of-domain ones stayed flat.
void showSampleMerge(MergePage& page);
// All of the above on the window's pages.
void showSampleData(MainWindow& window);

} // namespace teft::ui
