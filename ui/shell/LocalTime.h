#pragma once

#include <QString>
#include <string>

namespace teft::ui {

// A job store time stamp (UTC, ISO 8601: "2026-12-04T23:41:07.123Z") in the user's locale and
// time zone, short format; the text itself when it is not such a time stamp, "" when empty.
QString localDateTime(const std::string& isoUtc);
// Seconds between two job store time stamps; -1 when either is missing or invalid.
qint64 secondsBetween(const std::string& fromIsoUtc, const std::string& toIsoUtc);
// A duration for people: "42 s", "3 min 05 s", "2 h 07 min", "3 d 4 h".
QString durationText(qint64 seconds);

} // namespace teft::ui
