#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/core/progress.hpp"

namespace cevns {
namespace {

struct Recorder final : ProgressListener {
  std::vector<std::string> events;
  void start(const std::string& label, std::size_t total) override {
    events.push_back("start " + label + " " + std::to_string(total));
  }
  void advance(std::size_t done, std::size_t total) override {
    events.push_back("advance " + std::to_string(done) + "/" + std::to_string(total));
  }
  void finish(std::size_t done, std::size_t total) override {
    events.push_back("finish " + std::to_string(done) + "/" + std::to_string(total));
  }
  void note(const std::string& line) override { events.push_back("note " + line); }
};

TEST(ProgressListener, ReceivesStartFinishAndNotesInsteadOfStderr) {
  Recorder r;
  ProgressListener* before = set_progress_listener(&r);
  {
    Progress p;
    p.note("hello");
    p.start("grid", 10);
    p.advance(4);  // forwarded at most every 0.1 s
    p.advance(6);
    p.finish();
  }
  EXPECT_EQ(set_progress_listener(before), &r);
  std::vector<std::string> not_advances;
  for (const auto& e : r.events)
    if (e.rfind("advance ", 0) != 0)
      not_advances.push_back(e);
    else
      EXPECT_TRUE(e == "advance 4/10" || e == "advance 10/10") << e;
  EXPECT_EQ(not_advances,
            (std::vector<std::string>{"note hello", "start grid 10", "finish 10/10"}));
}

TEST(ProgressListener, QuietProgressTellsTheListenerNothing) {
  Recorder r;
  ProgressListener* before = set_progress_listener(&r);
  Progress p(Progress::Mode::kQuiet);
  p.note("hello");
  p.start("grid", 10);
  p.advance(10);
  p.finish();
  set_progress_listener(before);
  EXPECT_TRUE(r.events.empty());
}

}  // namespace
}  // namespace cevns
