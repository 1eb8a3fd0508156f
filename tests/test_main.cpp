#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cfenv>

namespace {

// Every test case starts from the floating-point environment the process started with. The
// callback path sets flush-to-zero and denormals-are-zero on the thread that runs it
// (CaptureCore::step, and Capture::stop's finish on the calling thread); a test that runs it on
// the main thread would otherwise leave FTZ/DAZ on for every test after it.
struct FloatEnvironmentPerTestCase : doctest::IReporter {
    explicit FloatEnvironmentPerTestCase(const doctest::ContextOptions&) { std::fegetenv(&initial_); }
    void test_case_start(const doctest::TestCaseData&) override { std::fesetenv(&initial_); }
    void test_case_reenter(const doctest::TestCaseData&) override { std::fesetenv(&initial_); }
    void test_case_end(const doctest::CurrentTestCaseStats&) override { std::fesetenv(&initial_); }

    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}

private:
    std::fenv_t initial_{};
};

} // namespace

DOCTEST_REGISTER_LISTENER("float_environment", 1, FloatEnvironmentPerTestCase);
