#include <oidfed/clock.h>

namespace oidfed {

namespace {

class SystemClock final : public Clock {
public:
    UnixTime now() const override
    {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }
};

class FixedClock final : public Clock {
public:
    explicit FixedClock(UnixTime t) : t_(t) {}
    UnixTime now() const override { return t_; }

private:
    UnixTime t_;
};

} // namespace

std::unique_ptr<Clock> makeSystemClock()
{
    return std::make_unique<SystemClock>();
}

std::unique_ptr<Clock> makeFixedClock(UnixTime fixed)
{
    return std::make_unique<FixedClock>(fixed);
}

} // namespace oidfed
