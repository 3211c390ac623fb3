// FakeClock: a Clock whose time the test sets. Thread-safe.
#pragma once

#include <atomic>

#include <oidfed/clock.h>

namespace oidfed::test {

class FakeClock final : public Clock {
public:
    explicit FakeClock(UnixTime t) : t_(t) {}
    UnixTime now() const override { return t_.load(); }
    void set(UnixTime t) { t_.store(t); }
    void advance(UnixTime seconds) { t_ += seconds; }

private:
    std::atomic<UnixTime> t_;
};

} // namespace oidfed::test
