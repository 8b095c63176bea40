// recordJob: the one helper that settles a job record — a returning body is recorded as
// succeeded, a Cancelled one as cancelled, a throwing one as failed with its message — read
// back from a real job store in a fresh data directory.
#include "core/store/JobRun.h"
#include "core/store/JobStore.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "support/TestSupport.h"

#include <QtTest>

#include <stdexcept>

using namespace teft;

namespace {

JobStore::Job jobOf(std::int64_t id)
{
    auto store = JobStore::open(JobStore::defaultPath());
    const auto job = store->job(id);
    if (!job)
        throw std::runtime_error("job " + std::to_string(id) + " is not in the store");
    return *job;
}

} // namespace

class TestJobRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { setDataDir(test::freshDir(QTest::currentTestFunction())); }

    void returningBodySucceedsAndPassesItsValue()
    {
        JobRecord rec("eval", "{}", "");
        QVERIFY(rec.id() > 0);
        const int value = recordJob(rec, [&] {
            rec.metric(1, "loss", 2.5);
            return 42;
        });
        QCOMPARE(value, 42);
        const auto job = jobOf(rec.id());
        QCOMPARE(JobStore::toString(job.state), std::string("succeeded"));
        QVERIFY(job.error.empty());
        auto store = JobStore::open(JobStore::defaultPath());
        const auto metrics = store->metrics(rec.id(), "loss");
        QCOMPARE(metrics.size(), std::size_t(1)); // flushed when the job ended
        QCOMPARE(metrics.front().value, 2.5);
    }

    void voidBodySucceeds()
    {
        JobRecord rec("identify", "{}", "");
        bool ran = false;
        recordJob(rec, [&] { ran = true; });
        QVERIFY(ran);
        QCOMPARE(JobStore::toString(jobOf(rec.id()).state), std::string("succeeded"));
    }

    void cancelledBodyIsRecordedAsCancelledAndRethrown()
    {
        JobRecord rec("train", "{}", "");
        JobControl control;
        control.requestCancel();
        bool caught = false;
        try {
            recordJob(rec, [&] {
                control.checkpoint();
                return 1;
            });
        } catch (const Cancelled&) {
            caught = true;
        }
        QVERIFY(caught);
        const auto job = jobOf(rec.id());
        QCOMPARE(JobStore::toString(job.state), std::string("cancelled"));
        QCOMPARE(job.error, std::string("cancelled by the user"));
    }

    void throwingBodyIsRecordedAsFailedWithItsMessage()
    {
        JobRecord rec("merge", "{}", "");
        QVERIFY_EXCEPTION_THROWN(recordJob(rec, [] { throw FormatError("Φ file x holds 'y'"); }), FormatError);
        auto job = jobOf(rec.id());
        QCOMPARE(JobStore::toString(job.state), std::string("failed"));
        QCOMPARE(job.error, std::string("Φ file x holds 'y'"));

        JobRecord plain("merge", "{}", "");
        QVERIFY_EXCEPTION_THROWN(recordJob(plain, []() -> int { throw std::runtime_error("disk on fire"); }),
                                 std::runtime_error);
        job = jobOf(plain.id());
        QCOMPARE(JobStore::toString(job.state), std::string("failed"));
        QCOMPARE(job.error, std::string("disk on fire"));
    }

    // Why the helper exists: a Cancelled that leaves a bare JobRecord's scope is a "failed" job.
    void withoutTheHelperACancelIsRecordedAsFailed()
    {
        std::int64_t id = 0;
        try {
            JobRecord rec("eval", "{}", "");
            id = rec.id();
            throw Cancelled();
        } catch (const Cancelled&) {
        }
        QCOMPARE(JobStore::toString(jobOf(id).state), std::string("failed"));
    }
};

QTEST_GUILESS_MAIN(TestJobRun)
#include "test_job_run.moc"
