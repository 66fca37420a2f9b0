#pragma once

#include "brokererror.h"

#include <optional>
#include <utility>

namespace veltrix {

// The outcome of a blocking broker call: a value or a typed error, never neither.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    { }
    Result(BrokerError error)
        : m_error(std::move(error))
    { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }

    const BrokerError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    BrokerError m_error;
};

} // namespace veltrix
