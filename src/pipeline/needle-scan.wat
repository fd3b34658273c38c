;; The byte scan of the hot path, in WebAssembly SIMD: 64 bytes a step, it counts the lines, counts
;; the lines longer than maxLine, and reports each line holding a needle (its start and its index).
;;
;; Finding needles is "Teddy" (Hyperscan's and ripgrep's multi-literal prefilter): bytes look up
;; 16-byte tables of bucket bits by nibble (i8x16.swizzle), and a position whose fingerprint shares a
;; bucket is then compared with that bucket's literals in full. The fingerprint is four look-ups, not
;; six: both nibbles of a literal's byte 0 and the low nibbles of bytes 1 and 2 (each look-up is a
;; pshufb and its range fix-up on x86; four give 2.6 times the false positions of six, and the
;; confirmation of those costs less than the two look-ups a vector it saves: measured). A literal is
;; compared four bytes at once, then byte for byte, or folded when it asked to be ("uth" in any
;; case), so a reported line is exactly a line the needle expression would match.
;;
;; Memory, laid out by needle-scan.ts:
;;   [0, 64)     four nibble tables: lo0 hi0 lo1 lo2 (bucket bits of byte 0, byte 0, 1, 2 of a literal)
;;   [64, 96)    per bucket b, at 64 + 4b: u16 its first literal header, u16 how many it has
;;   [96, 100)   the literal count n
;;   [128, 192)  scratch: a candidate step's bucket bits, one byte a lane
;;   [192, ...)  n literal headers of 32 bytes, grouped by bucket: i32 pointer, i32 length, i32 its
;;               first four bytes (folded; zero past its length), i32 what folds them (0x20 a folded
;;               byte), i32 which of them count (0xff a byte within its length)
;;   then the literal bytes (folded ones stored folded), the hit list, the look-back area (a pid's
;;   digits, the block hash's 32 bytes of carry, the lines a look-back found) and the data, placed by
;;   the caller.
;; Loads run up to 66 bytes past the data's end (lanes past it are masked), and a look-back's up to 64
;; bytes before its window: the memory must hold them.
;;
;; Besides the scan, two walks over bytes already in this memory (the scan thread read them here): the
;; look-back of a candidate (pidLines) and XXH64 of the prefix hash's blocks (hashBegin/Update/End).
(module
  (memory (export "memory") 1)

  (global $data (mut i32) (i32.const 0))
  (global $len (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const 0))      ;; the next step, relative to $data
  (global $lines (mut i32) (i32.const 0))    ;; newlines seen before $pos (then the lines, at the end)
  (global $overlong (mut i32) (i32.const 0))
  (global $prevNl (mut i32) (i32.const -1))  ;; the last newline before $pos, relative to $data
  (global $lastHit (mut i32) (i32.const -1)) ;; the index of the last line reported
  (global $done (mut i32) (i32.const 0))

  (func (export "begin") (param $data i32) (param $len i32)
    (global.set $data (local.get $data))
    (global.set $len (local.get $len))
    (global.set $pos (i32.const 0))
    (global.set $lines (i32.const 0))
    (global.set $overlong (i32.const 0))
    (global.set $prevNl (i32.const -1))
    (global.set $lastHit (i32.const -1))
    (global.set $done (i32.const 0)))

  (func (export "lines") (result i32) (global.get $lines))
  (func (export "overlong") (result i32) (global.get $overlong))
  (func (export "done") (result i32) (global.get $done))

  ;; Does a literal of bucket set $buckets start at $q (relative to $data)?
  (func $confirm (param $q i32) (param $buckets i32) (result i32)
    (local $at i32) (local $word i32) (local $b i32) (local $i i32) (local $end i32) (local $h i32)
    (local $l i32) (local $ptr i32) (local $fold i32) (local $k i32)
    (local.set $at (i32.add (global.get $data) (local.get $q)))
    ;; four bytes at once; those past a short literal's end (or the data's) are masked off below
    (local.set $word (i32.load (local.get $at)))
    (block $none
      (loop $bucket
        (br_if $none (i32.eqz (local.get $buckets)))
        (local.set $b (i32.shl (i32.ctz (local.get $buckets)) (i32.const 2)))
        (local.set $buckets (i32.and (local.get $buckets) (i32.sub (local.get $buckets) (i32.const 1))))
        (local.set $i (i32.load16_u offset=64 (local.get $b)))
        (local.set $end (i32.add (local.get $i) (i32.load16_u offset=66 (local.get $b))))
        (block $next
          (loop $lit
            (br_if $next (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $h (i32.add (i32.const 192) (i32.shl (local.get $i) (i32.const 5))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $fold (i32.load offset=12 (local.get $h)))
            (br_if $lit
              (i32.ne
                (i32.and (i32.or (local.get $word) (local.get $fold)) (i32.load offset=16 (local.get $h)))
                (i32.load offset=8 (local.get $h))))
            (local.set $l (i32.load offset=4 (local.get $h)))
            (br_if $lit (i32.gt_u (i32.add (local.get $q) (local.get $l)) (global.get $len)))
            (local.set $ptr (i32.load (local.get $h)))
            ;; the fold of the bytes after the fourth: 0x20 for a folded literal
            (local.set $fold (i32.and (local.get $fold) (i32.const 0x20)))
            (local.set $k (i32.const 4))
            (block $differs
              (loop $byte
                (if (i32.ge_u (local.get $k) (local.get $l)) (then (return (i32.const 1))))
                (br_if $differs
                  (i32.ne
                    (i32.or (i32.load8_u (i32.add (local.get $at) (local.get $k))) (local.get $fold))
                    (i32.load8_u (i32.add (local.get $ptr) (local.get $k)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $byte)))
            (br $lit)))
        (br $bucket)))
    (i32.const 0))

  ;; Scans on from $pos, writing (line start, line index) pairs of i32 at $out, and returns how many
  ;; it wrote. It stops before a step that could overflow $cap pairs (cap >= 64); call it again
  ;; until done() is 1.
  ;;
  ;; 64 bytes a step, as four 16-byte vectors whose masks are joined into an i64: the scalar work
  ;; (newline count, line ends, the candidate test) is paid once per 64 bytes, and none of it
  ;; branches on where the newlines fall (a branch on "this step has a newline" is taken about half
  ;; the time, which no predictor learns). Where the last line before a step ended is kept as the
  ;; last step with a newline and its mask ($lastPos, $lastMask): the position itself (63 - clz) is
  ;; computed only when a candidate or a possibly over-long line needs it.
  (func (export "run") (param $maxLine i32) (param $out i32) (param $cap i32) (result i32)
    (local $p i32) (local $pos i32) (local $len i32) (local $n i32) (local $lines i32) (local $base i32)
    (local $rawA v128) (local $rawB v128) (local $rawC v128) (local $rawD v128)
    (local $rA v128) (local $rB v128) (local $rC v128) (local $rD v128)
    (local $nl i64) (local $hit i64) (local $mask i64) (local $below i64) (local $lastMask i64) (local $m i64)
    (local $lane i32) (local $line i32) (local $start i32) (local $at i32) (local $prev i32)
    (local $lastPos i32) (local $every i32)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $lo2 v128)
    (local $low v128) (local $newline v128)
    (local.set $lo0 (v128.load (i32.const 0)))
    (local.set $hi0 (v128.load (i32.const 16)))
    (local.set $lo1 (v128.load (i32.const 32)))
    (local.set $lo2 (v128.load (i32.const 48)))
    (local.set $low (i8x16.splat (i32.const 0x0f)))
    (local.set $newline (i8x16.splat (i32.const 10)))
    (local.set $base (global.get $data))
    (local.set $pos (global.get $pos))
    (local.set $len (global.get $len))
    (local.set $lines (global.get $lines))
    ;; the last newline so far as a step and a mask whose top bit it is (63 - clz gives it back)
    (local.set $lastPos (i32.sub (global.get $prevNl) (i32.const 63)))
    (local.set $lastMask (i64.const 0x8000000000000000))
    ;; lines this short can begin and end inside one step: then every newline is looked at
    (local.set $every (i32.lt_s (local.get $maxLine) (i32.const 64)))
    (block $stop
      (loop $step
        (br_if $stop (i32.ge_s (local.get $pos) (local.get $len)))
        (local.set $p (i32.add (local.get $base) (local.get $pos)))
        ;; bucket bits at each lane: a nibble is (b >> 4) & 15 with a 16-bit shift, which x86 has (an
        ;; 8-bit shift is emulated); the high-nibble table folds (b | 0x20 sets bit 1 of the high
        ;; nibble), so the bytes are looked up as they are
        (local.set $rawA (v128.load offset=0 (local.get $p)))
        (local.set $rA
          (v128.and
            (v128.and
              (i8x16.swizzle (local.get $lo0) (v128.and (local.get $rawA) (local.get $low)))
              (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $rawA) (i32.const 4)) (local.get $low))))
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (v128.load offset=1 (local.get $p)) (local.get $low)))
              (i8x16.swizzle (local.get $lo2) (v128.and (v128.load offset=2 (local.get $p)) (local.get $low))))))
        (local.set $rawB (v128.load offset=16 (local.get $p)))
        (local.set $rB
          (v128.and
            (v128.and
              (i8x16.swizzle (local.get $lo0) (v128.and (local.get $rawB) (local.get $low)))
              (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $rawB) (i32.const 4)) (local.get $low))))
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (v128.load offset=17 (local.get $p)) (local.get $low)))
              (i8x16.swizzle (local.get $lo2) (v128.and (v128.load offset=18 (local.get $p)) (local.get $low))))))
        (local.set $rawC (v128.load offset=32 (local.get $p)))
        (local.set $rC
          (v128.and
            (v128.and
              (i8x16.swizzle (local.get $lo0) (v128.and (local.get $rawC) (local.get $low)))
              (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $rawC) (i32.const 4)) (local.get $low))))
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (v128.load offset=33 (local.get $p)) (local.get $low)))
              (i8x16.swizzle (local.get $lo2) (v128.and (v128.load offset=34 (local.get $p)) (local.get $low))))))
        (local.set $rawD (v128.load offset=48 (local.get $p)))
        (local.set $rD
          (v128.and
            (v128.and
              (i8x16.swizzle (local.get $lo0) (v128.and (local.get $rawD) (local.get $low)))
              (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $rawD) (i32.const 4)) (local.get $low))))
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (v128.load offset=49 (local.get $p)) (local.get $low)))
              (i8x16.swizzle (local.get $lo2) (v128.and (v128.load offset=50 (local.get $p)) (local.get $low))))))
        (local.set $nl
          (i64.or
            (i64.extend_i32_u
              (i32.or
                (i8x16.bitmask (i8x16.eq (local.get $rawA) (local.get $newline)))
                (i32.shl (i8x16.bitmask (i8x16.eq (local.get $rawB) (local.get $newline))) (i32.const 16))))
            (i64.shl
              (i64.extend_i32_u
                (i32.or
                  (i8x16.bitmask (i8x16.eq (local.get $rawC) (local.get $newline)))
                  (i32.shl (i8x16.bitmask (i8x16.eq (local.get $rawD) (local.get $newline))) (i32.const 16))))
              (i64.const 32))))
        (local.set $mask (i64.const -1))
        (if (i32.lt_s (i32.sub (local.get $len) (local.get $pos)) (i32.const 64))
          (then
            (local.set $mask (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $len) (local.get $pos)))) (i64.const 1)))
            (local.set $nl (i64.and (local.get $nl) (local.get $mask)))))
        ;; candidates: lanes with a bucket bit left, confirmed in full, one report a line
        (if (v128.any_true (v128.or (v128.or (local.get $rA) (local.get $rB)) (v128.or (local.get $rC) (local.get $rD))))
          (then
            ;; a step reports at most 64 lines: stop before it rather than overflow
            (br_if $stop (i32.gt_u (i32.add (local.get $n) (i32.const 64)) (local.get $cap)))
            (v128.store offset=128 (i32.const 0) (local.get $rA))
            (v128.store offset=144 (i32.const 0) (local.get $rB))
            (v128.store offset=160 (i32.const 0) (local.get $rC))
            (v128.store offset=176 (i32.const 0) (local.get $rD))
            (local.set $hit
              (i64.and (local.get $mask)
                (i64.or
                  (i64.extend_i32_u
                    (i32.or
                      (i8x16.bitmask (i8x16.ne (local.get $rA) (v128.const i32x4 0 0 0 0)))
                      (i32.shl (i8x16.bitmask (i8x16.ne (local.get $rB) (v128.const i32x4 0 0 0 0))) (i32.const 16))))
                  (i64.shl
                    (i64.extend_i32_u
                      (i32.or
                        (i8x16.bitmask (i8x16.ne (local.get $rC) (v128.const i32x4 0 0 0 0)))
                        (i32.shl (i8x16.bitmask (i8x16.ne (local.get $rD) (v128.const i32x4 0 0 0 0))) (i32.const 16))))
                    (i64.const 32)))))
            (block $hits
              (loop $each
                (br_if $hits (i64.eqz (local.get $hit)))
                (local.set $lane (i32.wrap_i64 (i64.ctz (local.get $hit))))
                (local.set $hit (i64.and (local.get $hit) (i64.sub (local.get $hit) (i64.const 1))))
                (local.set $below (i64.and (local.get $nl) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $lane))) (i64.const 1))))
                (local.set $line (i32.add (local.get $lines) (i32.wrap_i64 (i64.popcnt (local.get $below)))))
                (br_if $each (i32.eq (local.get $line) (global.get $lastHit)))
                (br_if $each (i32.eqz (call $confirm (i32.add (local.get $pos) (local.get $lane)) (i32.load8_u offset=128 (local.get $lane)))))
                (if (i64.eqz (local.get $below))
                  (then (local.set $start (i32.sub (i32.add (local.get $lastPos) (i32.const 64)) (i32.wrap_i64 (i64.clz (local.get $lastMask))))))
                  (else (local.set $start (i32.sub (i32.add (local.get $pos) (i32.const 64)) (i32.wrap_i64 (i64.clz (local.get $below)))))))
                (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $start))
                (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $line))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (global.set $lastHit (local.get $line))
                (br $each)))))
        (if (local.get $every)
          (then
            (if (i64.ne (local.get $nl) (i64.const 0))
              (then
                (local.set $prev (i32.sub (i32.add (local.get $lastPos) (i32.const 63)) (i32.wrap_i64 (i64.clz (local.get $lastMask)))))
                (local.set $m (local.get $nl))
                (loop $each
                  (local.set $at (i32.add (local.get $pos) (i32.wrap_i64 (i64.ctz (local.get $m)))))
                  (if (i32.gt_s (i32.sub (i32.sub (local.get $at) (local.get $prev)) (i32.const 1)) (local.get $maxLine))
                    (then (global.set $overlong (i32.add (global.get $overlong) (i32.const 1)))))
                  (local.set $prev (local.get $at))
                  (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
                  (br_if $each (i64.ne (local.get $m) (i64.const 0)))))))
          (else
            ;; the first newline ends the line begun before it, at most pos + 62 - lastPos bytes
            ;; long: only a line that could be over-long has its start worked out
            (if (i32.gt_s (i32.sub (i32.add (local.get $pos) (i32.const 62)) (local.get $lastPos)) (local.get $maxLine))
              (then
                (if (i64.ne (local.get $nl) (i64.const 0))
                  (then
                    (local.set $prev (i32.sub (i32.add (local.get $lastPos) (i32.const 63)) (i32.wrap_i64 (i64.clz (local.get $lastMask)))))
                    (local.set $at (i32.add (local.get $pos) (i32.wrap_i64 (i64.ctz (local.get $nl)))))
                    (if (i32.gt_s (i32.sub (i32.sub (local.get $at) (local.get $prev)) (i32.const 1)) (local.get $maxLine))
                      (then (global.set $overlong (i32.add (global.get $overlong) (i32.const 1)))))))))))
        (local.set $lines (i32.add (local.get $lines) (i32.wrap_i64 (i64.popcnt (local.get $nl)))))
        ;; selects, not a branch (see above)
        (local.set $lastPos (select (local.get $pos) (local.get $lastPos) (i64.ne (local.get $nl) (i64.const 0))))
        (local.set $lastMask (select (local.get $nl) (local.get $lastMask) (i64.ne (local.get $nl) (i64.const 0))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 64)))
        (br $step)))
    (global.set $pos (local.get $pos))
    (global.set $lines (local.get $lines))
    (global.set $prevNl (i32.sub (i32.add (local.get $lastPos) (i32.const 63)) (i32.wrap_i64 (i64.clz (local.get $lastMask)))))
    (if (i32.ge_s (local.get $pos) (local.get $len))
      (then
        (if (i32.eqz (global.get $done))
          (then
            (global.set $done (i32.const 1))
            ;; a last line without a newline
            (if (i32.gt_s (i32.sub (i32.sub (local.get $len) (global.get $prevNl)) (i32.const 1)) (i32.const 0))
              (then
                (global.set $lines (i32.add (global.get $lines) (i32.const 1)))
                (if (i32.gt_s (i32.sub (i32.sub (local.get $len) (global.get $prevNl)) (i32.const 1)) (local.get $maxLine))
                  (then (global.set $overlong (i32.add (global.get $overlong) (i32.const 1)))))))))))
    (local.get $n))
;; ---- The look-back of a candidate (lookback.ts; line-window.ts's pidLineSpans is the reference) ----

  ;; Walks back from the line that starts at $hi over the whole lines that start at or after $lo (a
  ;; line start), nearest first, until $max were found or $maxLines looked at, and writes (start, end,
  ;; back) as i32 at $out for each whose pid (the $n digits at $needle) stands as a whole number after
  ;; a blank or "(" and before a blank, ")" or ":" at column $col, or anywhere from column 1 within the
  ;; first 64 bytes when $col < 0; returns how many it wrote. The newlines come 64 bytes at a time,
  ;; from the last byte down: one vector pass over the window instead of a search per line.
  (func (export "pidLines") (param $lo i32) (param $hi i32) (param $col i32) (param $needle i32) (param $n i32)
    (param $max i32) (param $maxLines i32) (param $out i32) (result i32)
    (local $end i32) (local $ls i32) (local $w i32) (local $m i64) (local $top i32) (local $count i32)
    (local $looked i32) (local $i i32) (local $stop i32) (local $k i32) (local $first i32) (local $c i32) (local $nl v128)
    (if (i32.le_s (local.get $hi) (local.get $lo)) (then (return (i32.const 0))))
    (local.set $end (local.get $hi))
    (if (i32.eq (i32.load8_u offset=0 (i32.sub (local.get $hi) (i32.const 1))) (i32.const 10))
      (then (local.set $end (i32.sub (local.get $hi) (i32.const 1)))))
    (local.set $nl (i8x16.splat (i32.const 10)))
    (local.set $w (i32.sub (local.get $end) (i32.const 64)))
    ;; the newlines of [$w, $w + 64) at or after $lo, as bits (written out: V8 does not inline a call here)
    (local.set $m
      (i64.or
        (i64.extend_i32_u
          (i32.or
            (i8x16.bitmask (i8x16.eq (v128.load offset=0 (local.get $w)) (local.get $nl)))
            (i32.shl (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $w)) (local.get $nl))) (i32.const 16))))
        (i64.shl
          (i64.extend_i32_u
            (i32.or
              (i8x16.bitmask (i8x16.eq (v128.load offset=32 (local.get $w)) (local.get $nl)))
              (i32.shl (i8x16.bitmask (i8x16.eq (v128.load offset=48 (local.get $w)) (local.get $nl))) (i32.const 16))))
          (i64.const 32))))
    (if (i32.lt_s (local.get $w) (local.get $lo))
      (then
        (local.set $m
          (select
            (i64.const 0)
            (i64.and (local.get $m) (i64.shl (i64.const -1) (i64.extend_i32_u (i32.sub (local.get $lo) (local.get $w)))))
            (i32.ge_s (i32.sub (local.get $lo) (local.get $w)) (i32.const 64))))))
    (local.set $first (i32.load8_u (local.get $needle)))
    (block $done
      (loop $line
        (br_if $done (i32.ge_s (local.get $count) (local.get $max)))
        (br_if $done (i32.ge_s (local.get $looked) (local.get $maxLines)))
        ;; the newline before $end (the top bit left), else the line starts at $lo
        (local.set $ls (local.get $lo))
        (block $have
          (loop $down
            (if (i64.ne (local.get $m) (i64.const 0))
              (then
                (local.set $top (i32.sub (i32.const 63) (i32.wrap_i64 (i64.clz (local.get $m)))))
                (local.set $m (i64.xor (local.get $m) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $top)))))
                (local.set $ls (i32.add (i32.add (local.get $w) (local.get $top)) (i32.const 1)))
                (br $have)))
            (br_if $have (i32.le_s (local.get $w) (local.get $lo)))
            (local.set $w (i32.sub (local.get $w) (i32.const 64)))
            ;; the newlines of [$w, $w + 64) at or after $lo, as bits (written out: V8 does not inline a call here)
            (local.set $m
              (i64.or
                (i64.extend_i32_u
                  (i32.or
                    (i8x16.bitmask (i8x16.eq (v128.load offset=0 (local.get $w)) (local.get $nl)))
                    (i32.shl (i8x16.bitmask (i8x16.eq (v128.load offset=16 (local.get $w)) (local.get $nl))) (i32.const 16))))
                (i64.shl
                  (i64.extend_i32_u
                    (i32.or
                      (i8x16.bitmask (i8x16.eq (v128.load offset=32 (local.get $w)) (local.get $nl)))
                      (i32.shl (i8x16.bitmask (i8x16.eq (v128.load offset=48 (local.get $w)) (local.get $nl))) (i32.const 16))))
                  (i64.const 32))))
            (if (i32.lt_s (local.get $w) (local.get $lo))
              (then
                (local.set $m
                  (select
                    (i64.const 0)
                    (i64.and (local.get $m) (i64.shl (i64.const -1) (i64.extend_i32_u (i32.sub (local.get $lo) (local.get $w)))))
                    (i32.ge_s (i32.sub (local.get $lo) (local.get $w)) (i32.const 64))))))
            (br $down)))
        (local.set $looked (i32.add (local.get $looked) (i32.const 1)))
        ;; the pid among the line's first bytes
        (local.set $stop (i32.sub
          (select (local.get $end) (i32.add (local.get $ls) (i32.const 64)) (i32.lt_s (local.get $end) (i32.add (local.get $ls) (i32.const 64))))
          (local.get $n)))
        (local.set $i (i32.add (local.get $ls) (select (local.get $col) (i32.const 1) (i32.ge_s (local.get $col) (i32.const 0)))))
        (block $next
          (loop $try
            (br_if $next (i32.gt_s (local.get $i) (local.get $stop)))
            (block $no
              (br_if $no (i32.ne (i32.load8_u (local.get $i)) (local.get $first)))
              (local.set $c (i32.load8_u offset=0 (i32.sub (local.get $i) (i32.const 1))))
              (br_if $no (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 40))))
              (local.set $c (i32.load8_u (i32.add (local.get $i) (local.get $n))))
              (br_if $no
                (i32.and (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 41))) (i32.ne (local.get $c) (i32.const 58))))
              (local.set $k (i32.const 1))
              (block $all
                (loop $digit
                  (br_if $all (i32.ge_s (local.get $k) (local.get $n)))
                  (br_if $no
                    (i32.ne (i32.load8_u (i32.add (local.get $i) (local.get $k))) (i32.load8_u (i32.add (local.get $needle) (local.get $k)))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $digit)))
              ;; found: all digits matched
              (i32.store offset=0 (local.get $out) (local.get $ls))
              (i32.store offset=4 (local.get $out) (local.get $end))
              (i32.store offset=8 (local.get $out) (local.get $looked))
              (local.set $out (i32.add (local.get $out) (i32.const 12)))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (br $next))
            ;; a fixed column is one look
            (br_if $next (i32.ge_s (local.get $col) (i32.const 0)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $try)))
        (br_if $done (i32.le_s (local.get $ls) (local.get $lo)))
        (local.set $end (i32.sub (local.get $ls) (i32.const 1)))
        (br $line)))
    (local.get $count))

  ;; ---- XXH64 (seed 0) of the prefix hash's 1 MiB blocks (fingerprint.ts), over the bytes in place ----
  ;; One block at a time: the four lanes, the length so far and up to 31 bytes not yet a stripe, kept at
  ;; $carry (32 bytes the caller reserves).

  (global $v1 (mut i64) (i64.const 0))
  (global $v2 (mut i64) (i64.const 0))
  (global $v3 (mut i64) (i64.const 0))
  (global $v4 (mut i64) (i64.const 0))
  (global $total (mut i64) (i64.const 0))
  (global $carry (mut i32) (i32.const 0))
  (global $carried (mut i32) (i32.const 0))

  (func $round (param $acc i64) (param $in i64) (result i64)
    (i64.mul
      (i64.rotl (i64.add (local.get $acc) (i64.mul (local.get $in) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31))
      (i64.const 0x9E3779B185EBCA87)))

  (func $merge (param $h i64) (param $v i64) (result i64)
    (i64.add
      (i64.mul (i64.xor (local.get $h) (call $round (i64.const 0) (local.get $v))) (i64.const 0x9E3779B185EBCA87))
      (i64.const 0x85EBCA77C2B2AE63)))

  ;; The stripes of 32 bytes in [$p, $p + $len), $len a multiple of 32. The rounds are written out:
  ;; V8 (Node 20) does not inline a call of $round here, and the calls took as long as the hashing.
  (func $stripes (param $p i32) (param $len i32)
    (local $v1 i64) (local $v2 i64) (local $v3 i64) (local $v4 i64) (local $e i32) (local $p1 i64) (local $p2 i64)
    (local.set $v1 (global.get $v1))
    (local.set $v2 (global.get $v2))
    (local.set $v3 (global.get $v3))
    (local.set $v4 (global.get $v4))
    (local.set $p1 (i64.const 0x9E3779B185EBCA87))
    (local.set $p2 (i64.const 0xC2B2AE3D27D4EB4F))
    (local.set $e (i32.add (local.get $p) (local.get $len)))
    (block $end
      (loop $stripe
        (br_if $end (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $v1
          (i64.mul
            (i64.rotl (i64.add (local.get $v1) (i64.mul (i64.load offset=0 (local.get $p)) (local.get $p2))) (i64.const 31))
            (local.get $p1)))
        (local.set $v2
          (i64.mul
            (i64.rotl (i64.add (local.get $v2) (i64.mul (i64.load offset=8 (local.get $p)) (local.get $p2))) (i64.const 31))
            (local.get $p1)))
        (local.set $v3
          (i64.mul
            (i64.rotl (i64.add (local.get $v3) (i64.mul (i64.load offset=16 (local.get $p)) (local.get $p2))) (i64.const 31))
            (local.get $p1)))
        (local.set $v4
          (i64.mul
            (i64.rotl (i64.add (local.get $v4) (i64.mul (i64.load offset=24 (local.get $p)) (local.get $p2))) (i64.const 31))
            (local.get $p1)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $stripe)))
    (global.set $v1 (local.get $v1))
    (global.set $v2 (local.get $v2))
    (global.set $v3 (local.get $v3))
    (global.set $v4 (local.get $v4)))

  ;; Starts a block; $carry is where its 32 bytes of carry may be kept.
  (func (export "hashBegin") (param $carry i32)
    (global.set $v1 (i64.const 0x60EA27EEADC0B5D6)) ;; P1 + P2 (mod 2^64)
    (global.set $v2 (i64.const 0xC2B2AE3D27D4EB4F)) ;; P2
    (global.set $v3 (i64.const 0))
    (global.set $v4 (i64.const 0x61C8864E7A143579)) ;; -P1
    (global.set $total (i64.const 0))
    (global.set $carry (local.get $carry))
    (global.set $carried (i32.const 0)))

  ;; Hashes the bytes [$p, $p + $len) of the block, after those hashed before.
  (func (export "hashUpdate") (param $p i32) (param $len i32)
    (local $take i32) (local $whole i32)
    (global.set $total (i64.add (global.get $total) (i64.extend_i32_u (local.get $len))))
    (if (i32.gt_u (global.get $carried) (i32.const 0))
      (then
        (local.set $take (i32.sub (i32.const 32) (global.get $carried)))
        (if (i32.gt_u (local.get $take) (local.get $len)) (then (local.set $take (local.get $len))))
        (memory.copy (i32.add (global.get $carry) (global.get $carried)) (local.get $p) (local.get $take))
        (global.set $carried (i32.add (global.get $carried) (local.get $take)))
        (local.set $p (i32.add (local.get $p) (local.get $take)))
        (local.set $len (i32.sub (local.get $len) (local.get $take)))
        (if (i32.lt_u (global.get $carried) (i32.const 32)) (then (return)))
        (call $stripes (global.get $carry) (i32.const 32))
        (global.set $carried (i32.const 0))))
    (local.set $whole (i32.and (local.get $len) (i32.const -32)))
    (call $stripes (local.get $p) (local.get $whole))
    (memory.copy (global.get $carry) (i32.add (local.get $p) (local.get $whole)) (i32.sub (local.get $len) (local.get $whole)))
    (global.set $carried (i32.sub (local.get $len) (local.get $whole))))

  ;; The digest of the bytes hashed since hashBegin.
  (func (export "hashEnd") (result i64)
    (local $h i64) (local $p i32) (local $e i32)
    (if (i64.ge_u (global.get $total) (i64.const 32))
      (then
        (local.set $h
          (i64.add
            (i64.add (i64.rotl (global.get $v1) (i64.const 1)) (i64.rotl (global.get $v2) (i64.const 7)))
            (i64.add (i64.rotl (global.get $v3) (i64.const 12)) (i64.rotl (global.get $v4) (i64.const 18)))))
        (local.set $h (call $merge (local.get $h) (global.get $v1)))
        (local.set $h (call $merge (local.get $h) (global.get $v2)))
        (local.set $h (call $merge (local.get $h) (global.get $v3)))
        (local.set $h (call $merge (local.get $h) (global.get $v4))))
      (else (local.set $h (i64.const 0x27D4EB2F165667C5)))) ;; seed + P5
    (local.set $h (i64.add (local.get $h) (global.get $total)))
    (local.set $p (global.get $carry))
    (local.set $e (i32.add (global.get $carry) (global.get $carried)))
    (block $eights
      (loop $eight
        (br_if $eights (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $e)))
        (local.set $h (i64.xor (local.get $h) (call $round (i64.const 0) (i64.load (local.get $p)))))
        (local.set $h (i64.add (i64.mul (i64.rotl (local.get $h) (i64.const 27)) (i64.const 0x9E3779B185EBCA87)) (i64.const 0x85EBCA77C2B2AE63)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $eight)))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $e))
      (then
        (local.set $h (i64.xor (local.get $h) (i64.mul (i64.load32_u (local.get $p)) (i64.const 0x9E3779B185EBCA87))))
        (local.set $h (i64.add (i64.mul (i64.rotl (local.get $h) (i64.const 23)) (i64.const 0xC2B2AE3D27D4EB4F)) (i64.const 0x165667B19E3779F9)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))))
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $h (i64.xor (local.get $h) (i64.mul (i64.load8_u (local.get $p)) (i64.const 0x27D4EB2F165667C5))))
        (local.set $h (i64.mul (i64.rotl (local.get $h) (i64.const 11)) (i64.const 0x9E3779B185EBCA87)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xC2B2AE3D27D4EB4F)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 29))) (i64.const 0x165667B19E3779F9)))
    (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 32))))
)
