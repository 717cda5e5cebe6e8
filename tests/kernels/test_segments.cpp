// Segments (kernels/scan_point.hpp): how both backends cut a range of grid points into the
// pieces of their χ² loops. Checked by arithmetic alone (nothing is allocated), so ranges far
// beyond memory — point indices above 2^33, rows of 2^31 − 1 points — are covered too. The
// domain is that of a GridView: rows and points per row fit an int, point indices need 64 bits.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/scan_point.hpp"

namespace cevns {
namespace {

using Size = std::size_t;

struct Piece {
  Size lo, hi;  // global point indices [lo, hi)
  Size row;
};

// The segment of a point in a grid cut into aligned segments of `length` within rows of n0,
// written from the definition (segment k of row r holds i0 ∈ [k·length, (k+1)·length)).
Piece aligned_segment(Size point, Size n0, Size length) {
  const Size row = point / n0, i0 = point % n0;
  const Size k = i0 / length;
  const Size end = (k + 1) * length < n0 ? (k + 1) * length : n0;
  return Piece{row * n0 + k * length, row * n0 + end, row};
}

// Number of segments the range must have, counted row by row from the definition.
Size expected_segment_count(Size first, Size count, Size n0, Size length) {
  if (count == 0) return 0;
  Size total = 0;
  const Size last = first + count - 1;
  for (Size row = first / n0; row <= last / n0; ++row) {
    const Size lo = (row == first / n0 ? first : row * n0) - row * n0;  // i0 of the first point
    const Size hi = (row == last / n0 ? last + 1 : (row + 1) * n0) - row * n0;  // one past the last
    total += (hi + length - 1) / length - lo / length;
  }
  return total;
}

std::string describe(Size first, Size count, Size n0, Size length) {
  std::ostringstream s;
  s << "first " << first << ", count " << count << ", n0 " << n0 << ", length " << length;
  return s.str();
}

// The segments of [first, first + count), as Segments::get reports them.
std::vector<Piece> pieces(Size first, Size count, Size n0, Size length) {
  const Segments seg(first, count, n0, length);
  std::vector<Piece> out;
  for (Size s = 0; s < seg.size(); ++s) {
    int row = -1, i0_begin = -1, i0_end = -1;
    Size offset = 0;
    seg.get(s, &row, &i0_begin, &i0_end, &offset);
    const Size r = static_cast<Size>(row);
    out.push_back(
        Piece{r * n0 + static_cast<Size>(i0_begin), r * n0 + static_cast<Size>(i0_end), r});
    // The output offset is where the segment's first point goes: its distance from `first`.
    EXPECT_EQ(offset, out.back().lo - first)
        << describe(first, count, n0, length) << ", segment " << s;
  }
  return out;
}

// Every property of one range.
void check_range(Size first, Size count, Size n0, Size length) {
  SCOPED_TRACE(describe(first, count, n0, length));
  const Segments seg(first, count, n0, length);
  ASSERT_EQ(seg.size(), expected_segment_count(first, count, n0, length));
  const std::vector<Piece> ps = pieces(first, count, n0, length);
  Size next = first;  // covered so far: [first, next)
  for (const Piece& p : ps) {
    ASSERT_EQ(p.lo, next) << "gap or overlap";  // in order, exactly once
    ASSERT_LT(p.lo, p.hi) << "empty segment";
    ASSERT_LE(p.hi - p.lo, length);
    ASSERT_EQ(p.row, p.lo / n0);        // inside one row ...
    ASSERT_EQ(p.row, (p.hi - 1) / n0);  // ... from its first to its last point
    // Aligned: the segment is the grid's aligned segment of its points, clipped to the range.
    const Piece a = aligned_segment(p.lo, n0, length);
    ASSERT_EQ(p.lo, a.lo > first ? a.lo : first);
    ASSERT_EQ(p.hi, a.hi < first + count ? a.hi : first + count);
    next = p.hi;
  }
  ASSERT_EQ(next, first + count);
}

constexpr Size kTwo33 = Size{1} << 33;
constexpr Size kMaxInt = 2147483647;  // 2^31 − 1: the longest row a GridView holds

TEST(Segments, CoverEveryRangeOnceInOrderWithinRowsAndAtMostLengthPoints) {
  for (Size n0 : {Size{1}, Size{2}, Size{3}, Size{7}, Size{64}, Size{1000}})
    for (Size length : {Size{1}, Size{2}, Size{5}, Size{64}, Size{1024}, kMaxInt})
      for (Size first : {Size{0}, Size{1}, Size{5}, n0 - 1, n0, 3 * n0 + 1})
        for (Size count : {Size{0}, Size{1}, Size{2}, n0, 3 * n0 + 1, Size{2500}})
          check_range(first, count, n0, length);
}

TEST(Segments, HandleFirstPointsBeyondTwoToThe33) {
  // Rows of n0 points so that the row index still fits an int (as in any GridView).
  for (Size n0 : {Size{8}, Size{1000}, Size{1} << 20, kMaxInt})
    for (Size length : {Size{1}, Size{3}, Size{256}, Size{1} << 30})
      for (Size first : {kTwo33, kTwo33 + 1, kTwo33 + 12345, (kTwo33 / n0 + 1) * n0 - 1})
        for (Size count : {Size{1}, Size{2}, Size{999}, Size{3000}})
          check_range(first, count, n0, length);
}

TEST(Segments, SpanRowsOfTwoToThe31MinusOnePointsByArithmeticOnly) {
  // Several rows of 2^31 − 1 points each (more than 10^10 points) in a few long segments.
  const Size n0 = kMaxInt;
  for (Size length : {Size{1} << 30, kMaxInt, Size{1} << 40, (Size{1} << 29) + 7})
    for (Size first : {Size{0}, kTwo33 + 12345, 5 * n0 - 3})
      check_range(first, 5 * n0 + 17, n0, length);
  // The last points a row index of int can reach.
  check_range(kMaxInt * n0 - 100, 100, n0, Size{16});
}

TEST(Segments, SizeZeroForAnEmptyRange) {
  EXPECT_EQ(Segments(0, 0, 10, 4).size(), 0u);
  EXPECT_EQ(Segments(kTwo33 + 3, 0, 1000, 64).size(), 0u);
}

TEST(Segments, PointBoundariesDoNotDependOnTheChunking) {
  // The grid [0, total) cut into chunks of every size from 1 to 40 points (and some at 2^33):
  // each chunk's segments are the whole range's segments clipped to the chunk, so a point is
  // evaluated with the same neighbours (the same row sums) whatever the chunking.
  for (Size n0 : {Size{1}, Size{6}, Size{13}, Size{64}})
    for (Size length : {Size{1}, Size{4}, Size{5}, Size{100}})
      for (Size base : {Size{0}, kTwo33 / n0 * n0 + n0}) {
        if (base / n0 > kMaxInt - 8) continue;  // rows beyond an int: no GridView has them
        const Size total = 7 * n0 + 3;
        const std::vector<Piece> whole = pieces(base, total, n0, length);
        for (Size chunk = 1; chunk <= 40; ++chunk)
          for (Size first = base; first < base + total; first += chunk) {
            const Size count = first + chunk <= base + total ? chunk : base + total - first;
            for (const Piece& p : pieces(first, count, n0, length)) {
              const Piece* w = nullptr;
              for (const Piece& q : whole)
                if (q.lo <= p.lo && p.lo < q.hi) w = &q;
              ASSERT_NE(w, nullptr);
              const Size lo = w->lo > first ? w->lo : first;
              const Size hi = w->hi < first + count ? w->hi : first + count;
              ASSERT_EQ(p.lo, lo) << describe(first, count, n0, length);
              ASSERT_EQ(p.hi, hi) << describe(first, count, n0, length);
            }
          }
      }
}

}  // namespace
}  // namespace cevns
