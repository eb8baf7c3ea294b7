// The two regular expressions behind dlt's parse_iso_like_datetime(), as backtracking matchers
// (internal to common/iso8601.cc): pendulum 2.1.2's ISO8601_DT and its COMMON fallback. Python's
// `re` returns the first match in its order of trying, and the fields of that match decide the
// value, so the order here is Python's, step by step.
#pragma once

#include <cstddef>
#include <string_view>

namespace dlt::iso8601::internal {

// A capture group of the regular expression: where it matched, or unset when it took no part.
struct Cap {
  int begin = -1;
  int len = 0;
  bool set() const { return begin >= 0; }
};

// Backtracking over one string, in the order Python's `re` tries alternatives: greedy
// quantifiers longest first, an optional part present before absent, alternation left to right.
// Every step takes a continuation `k(pos)` (the rest of the pattern) and clears its capture when
// the rest fails, so after a match only the groups of the winning path are set.
class Backtracker {
 public:
  explicit Backtracker(std::string_view s) : s_(s) {}

  bool IsDigit(size_t p) const { return p < s_.size() && s_[p] >= '0' && s_[p] <= '9'; }
  bool Is(size_t p, char c) const { return p < s_.size() && s_[p] == c; }

  // \d{lo,hi}
  template <class K>
  bool Digits(size_t p, int lo, int hi, Cap& cap, K&& k) {
    int n = 0;
    while (n < hi && IsDigit(p + n)) ++n;
    for (int len = n; len >= lo && len > 0; --len) {
      cap = {static_cast<int>(p), len};
      if (k(p + len)) return true;
    }
    cap = {};
    return false;
  }
  // (\d{lo,hi})?
  template <class K>
  bool OptDigits(size_t p, int lo, int hi, Cap& cap, K&& k) {
    return Digits(p, lo, hi, cap, k) || k(p);
  }
  // (c)? where c is one of `set`
  template <class K>
  bool OptChar(size_t p, std::string_view set, Cap& cap, K&& k) {
    if (p < s_.size() && set.find(s_[p]) != std::string_view::npos) {
      cap = {static_cast<int>(p), 1};
      if (k(p + 1)) return true;
      cap = {};
    }
    return k(p);
  }

  int Int(const Cap& c) const {
    int v = 0;
    for (int i = 0; i < c.len; ++i) v = v * 10 + (s_[c.begin + i] - '0');
    return v;
  }
  std::string_view Text(const Cap& c) const { return c.set() ? s_.substr(c.begin, c.len) : std::string_view(); }

 protected:
  std::string_view s_;
};

// pendulum 2.1.2's ISO8601_DT expression:
//   ^(?P<date>(?P<classic>YEAR(-?MM((-?)D{1,2})?)?) | (?P<isocalendar>YEAR-?W\d{2}-?\d?))?
//    (?P<time>[T ]?H{1,2}:?M{1,2}?:?S{1,2}?([.,]\d{1,9})?([-+]\d{2}:?(\d{2})?|Z)?)?$
class IsoPattern : public Backtracker {
 public:
  using Backtracker::Backtracker;
  Cap year, monthsep, month, daysep, day;
  Cap isoyear, weeksep, isoweek, weekdaysep, isoweekday;
  Cap timesep, hour, minsep, minute, secsep, second, subsecond;
  Cap tzsign, tzhour, tzcolon, tzminute, tzz;
  bool has_date = false, has_time = false;

  bool Match(size_t end) {
    auto fin = [&](size_t p) { return p == end; };
    auto time_then_end = [&](size_t p) {
      if (Time(p, [&](size_t q) { return (has_time = fin(q)); })) return true;
      return fin(p);
    };
    if (Date(0, [&](size_t p) { return (has_date = time_then_end(p)); })) return true;
    return time_then_end(0);
  }

 private:
  template <class K>
  bool Date(size_t p, K&& k) {
    // classic: \d{4} then the optional month (and day, or an ordinal's last digit)
    bool classic = Digits(p, 4, 4, year, [&](size_t p1) {
      bool md = OptChar(p1, "-", monthsep, [&](size_t p2) {
        return Digits(p2, 2, 2, month, [&](size_t p3) {
          bool d = OptChar(p3, "-", daysep, [&](size_t p4) { return Digits(p4, 1, 2, day, k); });
          return d || k(p3);
        });
      });
      return md || k(p1);
    });
    if (classic) return true;
    return Digits(p, 4, 4, isoyear, [&](size_t p1) {
      return OptChar(p1, "-", weeksep, [&](size_t p2) {
        if (!Is(p2, 'W')) return false;
        return Digits(p2 + 1, 2, 2, isoweek, [&](size_t p3) {
          return OptChar(p3, "-", weekdaysep, [&](size_t p4) { return OptDigits(p4, 1, 1, isoweekday, k); });
        });
      });
    });
  }

  template <class K>
  bool Time(size_t p, K&& k) {
    auto tz = [&](size_t q) {
      if (Is(q, '+') || Is(q, '-')) {
        tzsign = {static_cast<int>(q), 1};
        bool ok = Digits(q + 1, 2, 2, tzhour, [&](size_t q1) {
          return OptChar(q1, ":", tzcolon, [&](size_t q2) { return OptDigits(q2, 2, 2, tzminute, k); });
        });
        if (ok) return true;
        tzsign = {};
      } else if (Is(q, 'Z')) {
        tzz = {static_cast<int>(q), 1};
        if (k(q + 1)) return true;
        tzz = {};
      }
      return k(q);
    };
    auto subsec = [&](size_t q) {
      if ((Is(q, '.') || Is(q, ',')) && Digits(q + 1, 1, 9, subsecond, tz)) return true;
      return tz(q);
    };
    return OptChar(p, "T ", timesep, [&](size_t p1) {
      return Digits(p1, 1, 2, hour, [&](size_t p2) {
        return OptChar(p2, ":", minsep, [&](size_t p3) {
          return OptDigits(p3, 1, 2, minute, [&](size_t p4) {
            return OptChar(p4, ":", secsep, [&](size_t p5) { return OptDigits(p5, 1, 2, second, subsec); });
          });
        });
      });
    });
  }
};

// pendulum's COMMON expression (its fallback for what is not ISO 8601):
//   ^(YEAR([/:]?MM[/:]?DD)?)?( ?H{1,2}:M{1,2}?(:S{1,2})?([.|,]\d{1,9})?)?$
class CommonPattern : public Backtracker {
 public:
  using Backtracker::Backtracker;
  Cap year, monthsep, month, daysep, day, timesep, hour, minute, second, subsecond;
  bool has_date = false, has_time = false;

  bool Match(size_t end) {
    auto fin = [&](size_t p) { return p == end; };
    auto time_then_end = [&](size_t p) {
      if (Time(p, [&](size_t q) { return (has_time = fin(q)); })) return true;
      return fin(p);
    };
    bool dated = Digits(0, 4, 4, year, [&](size_t p1) {
      bool md = OptChar(p1, "/:", monthsep, [&](size_t p2) {
        return Digits(p2, 2, 2, month, [&](size_t p3) {
          return OptChar(p3, "/:", daysep, [&](size_t p4) {
            return Digits(p4, 2, 2, day, [&](size_t p5) { return (has_date = time_then_end(p5)); });
          });
        });
      });
      return md || (has_date = time_then_end(p1));
    });
    return dated || time_then_end(0);
  }

 private:
  template <class K>
  bool Time(size_t p, K&& k) {
    auto subsec = [&](size_t q) {
      if (q < s_.size() && (s_[q] == '.' || s_[q] == '|' || s_[q] == ',') && Digits(q + 1, 1, 9, subsecond, k)) {
        return true;
      }
      return k(q);
    };
    auto seconds = [&](size_t q) {
      if (Is(q, ':') && Digits(q + 1, 1, 2, second, subsec)) return true;
      return subsec(q);
    };
    return OptChar(p, " ", timesep, [&](size_t p1) {
      return Digits(p1, 1, 2, hour, [&](size_t p2) {
        return Is(p2, ':') && OptDigits(p2 + 1, 1, 2, minute, seconds);
      });
    });
  }
};

}  // namespace dlt::iso8601::internal
