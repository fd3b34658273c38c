;; The byte scan of the hot path, in WebAssembly SIMD: 32 bytes a step, it counts the lines, counts
;; the lines longer than maxLine, and reports each line holding a needle (its start and its index).
;;
;; Finding needles is "Teddy" (Hyperscan's and ripgrep's multi-literal prefilter): each nibble of
;; every byte looks up a 16-byte table of bucket bits (i8x16.swizzle), the tables matching the byte
;; folded to lower case (b | 0x20), and a position whose first three bytes share a bucket is then
;; compared with that bucket's literals in full. A literal is compared byte for byte, or folded when it asked to be
;; ("uth" in any case), so a reported line is exactly a line the needle expression would match.
;;
;; Memory, laid out by needle-scan.ts:
;;   [0, 96)     six nibble tables: lo0 hi0 lo1 hi1 lo2 hi2 (bucket bits of byte 0, 1, 2 of a literal)
;;   [96, 100)   the literal count n
;;   [128, ...)  n literal headers of 12 bytes: i32 pointer, i32 length, i32 flags
;;               (bit 0: compare folded; bits 8-15: the literal's bucket bit)
;;   then the literal bytes, the hit list and the data, all placed by the caller.
;; Loads run up to 34 bytes past the data's end (lanes past it are masked): the memory must hold them.
(module
  (memory (export "memory") 1)

  (global $data (mut i32) (i32.const 0))
  (global $len (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const 0))      ;; the next block, relative to $data
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
    (local $i i32) (local $n i32) (local $h i32) (local $ptr i32) (local $l i32) (local $flags i32)
    (local $k i32) (local $a i32) (local $at i32)
    (local.set $n (i32.load (i32.const 96)))
    (local.set $at (i32.add (global.get $data) (local.get $q)))
    (block $none
      (loop $lit
        (br_if $none (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h (i32.add (i32.const 128) (i32.mul (local.get $i) (i32.const 12))))
        (local.set $flags (i32.load offset=8 (local.get $h)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $lit (i32.eqz (i32.and (local.get $buckets) (i32.shr_u (local.get $flags) (i32.const 8)))))
        (local.set $ptr (i32.load (local.get $h)))
        (local.set $l (i32.load offset=4 (local.get $h)))
        (br_if $lit (i32.gt_u (i32.add (local.get $q) (local.get $l)) (global.get $len)))
        (local.set $k (i32.const 0))
        (block $differs
          (loop $byte
            (if (i32.ge_u (local.get $k) (local.get $l)) (then (return (i32.const 1))))
            (local.set $a (i32.load8_u (i32.add (local.get $at) (local.get $k))))
            (if (i32.and (local.get $flags) (i32.const 1))
              (then (local.set $a (i32.or (local.get $a) (i32.const 0x20)))))
            (br_if $differs (i32.ne (local.get $a) (i32.load8_u (i32.add (local.get $ptr) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $byte)))
        (br $lit)))
    (i32.const 0))

  ;; Scans on from $pos, writing (line start, line index) pairs of i32 at $out, and returns how many
  ;; it wrote. It stops before a block that could overflow $cap pairs (cap >= 32); call it again
  ;; until done() is 1.
  ;;
  ;; 32 bytes a step, as two 16-byte vectors whose masks are joined: the scalar work (newline count,
  ;; line ends, the candidate test) is paid once per 32 bytes. Where the last line before a block
  ;; ended is kept as the last block with a newline and its mask ($lastPos, $lastMask): the position
  ;; itself (31 - clz) is computed only when a candidate or a possibly over-long line needs it.
  (func (export "run") (param $maxLine i32) (param $out i32) (param $cap i32) (result i32)
    (local $p i32) (local $pos i32) (local $len i32) (local $n i32) (local $lines i32)
    (local $rawA v128) (local $rawB v128) (local $f v128) (local $rA v128) (local $rB v128)
    (local $nl i32) (local $hit i32) (local $mask i32) (local $lane i32) (local $below i32)
    (local $line i32) (local $start i32) (local $m i32) (local $at i32) (local $prev i32)
    (local $lastPos i32) (local $lastMask i32) (local $every i32) (local $buckets i32)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128)
    (local $low v128) (local $newline v128)
    (local.set $lo0 (v128.load (i32.const 0)))
    (local.set $hi0 (v128.load (i32.const 16)))
    (local.set $lo1 (v128.load (i32.const 32)))
    (local.set $hi1 (v128.load (i32.const 48)))
    (local.set $lo2 (v128.load (i32.const 64)))
    (local.set $hi2 (v128.load (i32.const 80)))
    (local.set $low (i8x16.splat (i32.const 0x0f)))
    (local.set $newline (i8x16.splat (i32.const 10)))
    (local.set $pos (global.get $pos))
    (local.set $len (global.get $len))
    (local.set $lines (global.get $lines))
    ;; the last newline so far as a block and a mask whose top bit it is (31 - clz gives it back)
    (local.set $lastPos (i32.sub (global.get $prevNl) (i32.const 31)))
    (local.set $lastMask (i32.const 0x80000000))
    ;; lines this short can begin and end inside one block: then every newline is looked at
    (local.set $every (i32.lt_s (local.get $maxLine) (i32.const 32)))
    (block $stop
      (loop $block
        (br_if $stop (i32.ge_s (local.get $pos) (local.get $len)))
        (br_if $stop (i32.gt_u (i32.add (local.get $n) (i32.const 32)) (local.get $cap)))
        (local.set $p (i32.add (global.get $data) (local.get $pos)))
        (local.set $rawA (v128.load (local.get $p)))
        (local.set $rawB (v128.load offset=16 (local.get $p)))
        ;; bucket bits of bytes 0, 1, 2 of a literal at each lane; a nibble is (b >> 4) & 15 with a
        ;; 16-bit shift, which x86 has (an 8-bit shift is emulated); the high-nibble tables fold
        ;; (b | 0x20 sets bit 1 of the high nibble), so the bytes are looked up as they are
        (local.set $f (local.get $rawA))
        (local.set $rA
          (v128.and
            (i8x16.swizzle (local.get $lo0) (v128.and (local.get $f) (local.get $low)))
            (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low)))))
        (local.set $f (v128.load offset=1 (local.get $p)))
        (local.set $rA
          (v128.and (local.get $rA)
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (local.get $f) (local.get $low)))
              (i8x16.swizzle (local.get $hi1) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low))))))
        (local.set $f (v128.load offset=2 (local.get $p)))
        (local.set $rA
          (v128.and (local.get $rA)
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $f) (local.get $low)))
              (i8x16.swizzle (local.get $hi2) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low))))))
        (local.set $f (local.get $rawB))
        (local.set $rB
          (v128.and
            (i8x16.swizzle (local.get $lo0) (v128.and (local.get $f) (local.get $low)))
            (i8x16.swizzle (local.get $hi0) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low)))))
        (local.set $f (v128.load offset=17 (local.get $p)))
        (local.set $rB
          (v128.and (local.get $rB)
            (v128.and
              (i8x16.swizzle (local.get $lo1) (v128.and (local.get $f) (local.get $low)))
              (i8x16.swizzle (local.get $hi1) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low))))))
        (local.set $f (v128.load offset=18 (local.get $p)))
        (local.set $rB
          (v128.and (local.get $rB)
            (v128.and
              (i8x16.swizzle (local.get $lo2) (v128.and (local.get $f) (local.get $low)))
              (i8x16.swizzle (local.get $hi2) (v128.and (i16x8.shr_u (local.get $f) (i32.const 4)) (local.get $low))))))
        (local.set $nl
          (i32.or
            (i8x16.bitmask (i8x16.eq (local.get $rawA) (local.get $newline)))
            (i32.shl (i8x16.bitmask (i8x16.eq (local.get $rawB) (local.get $newline))) (i32.const 16))))
        (local.set $mask (i32.const -1))
        (if (i32.lt_s (i32.sub (local.get $len) (local.get $pos)) (i32.const 32))
          (then
            (local.set $mask (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $len) (local.get $pos))) (i32.const 1)))
            (local.set $nl (i32.and (local.get $nl) (local.get $mask)))))
        ;; candidates: lanes with a bucket bit left, confirmed in full, one report a line
        (if (v128.any_true (v128.or (local.get $rA) (local.get $rB)))
          (then
            (local.set $hit
              (i32.and (local.get $mask)
                (i32.or
                  (i8x16.bitmask (i8x16.ne (local.get $rA) (v128.const i32x4 0 0 0 0)))
                  (i32.shl (i8x16.bitmask (i8x16.ne (local.get $rB) (v128.const i32x4 0 0 0 0))) (i32.const 16)))))
            (block $hits
              (loop $each
                (br_if $hits (i32.eqz (local.get $hit)))
                (local.set $lane (i32.ctz (local.get $hit)))
                (local.set $hit (i32.and (local.get $hit) (i32.sub (local.get $hit) (i32.const 1))))
                (local.set $below (i32.and (local.get $nl) (i32.sub (i32.shl (i32.const 1) (local.get $lane)) (i32.const 1))))
                (local.set $line (i32.add (local.get $lines) (i32.popcnt (local.get $below))))
                (br_if $each (i32.eq (local.get $line) (global.get $lastHit)))
                (local.set $at (i32.add (local.get $pos) (local.get $lane)))
                (if (i32.lt_u (local.get $lane) (i32.const 16))
                  (then (local.set $buckets (i8x16.extract_lane_u 0 (i8x16.swizzle (local.get $rA) (i8x16.splat (local.get $lane))))))
                  (else (local.set $buckets (i8x16.extract_lane_u 0 (i8x16.swizzle (local.get $rB) (i8x16.splat (i32.sub (local.get $lane) (i32.const 16))))))))
                (br_if $each (i32.eqz (call $confirm (local.get $at) (local.get $buckets))))
                (if (local.get $below)
                  (then (local.set $start (i32.sub (i32.add (local.get $pos) (i32.const 32)) (i32.clz (local.get $below)))))
                  (else (local.set $start (i32.sub (i32.add (local.get $lastPos) (i32.const 32)) (i32.clz (local.get $lastMask))))))
                (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $start))
                (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))) (local.get $line))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (global.set $lastHit (local.get $line))
                (br $each)))))
        (if (local.get $nl)
          (then
            (if (local.get $every)
              (then
                (local.set $prev (i32.sub (i32.add (local.get $lastPos) (i32.const 31)) (i32.clz (local.get $lastMask))))
                (local.set $m (local.get $nl))
                (loop $each
                  (local.set $at (i32.add (local.get $pos) (i32.ctz (local.get $m))))
                  (if (i32.gt_s (i32.sub (i32.sub (local.get $at) (local.get $prev)) (i32.const 1)) (local.get $maxLine))
                    (then (global.set $overlong (i32.add (global.get $overlong) (i32.const 1)))))
                  (local.set $prev (local.get $at))
                  (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                  (br_if $each (local.get $m))))
              (else
                ;; the first newline ends the line begun before it, at most pos + 30 - lastPos bytes
                ;; long: only a line that could be over-long has its start worked out
                (if (i32.gt_s (i32.sub (i32.add (local.get $pos) (i32.const 30)) (local.get $lastPos)) (local.get $maxLine))
                  (then
                    (local.set $prev (i32.sub (i32.add (local.get $lastPos) (i32.const 31)) (i32.clz (local.get $lastMask))))
                    (local.set $at (i32.add (local.get $pos) (i32.ctz (local.get $nl))))
                    (if (i32.gt_s (i32.sub (i32.sub (local.get $at) (local.get $prev)) (i32.const 1)) (local.get $maxLine))
                      (then (global.set $overlong (i32.add (global.get $overlong) (i32.const 1)))))))))
            (local.set $lines (i32.add (local.get $lines) (i32.popcnt (local.get $nl))))
            (local.set $lastPos (local.get $pos))
            (local.set $lastMask (local.get $nl))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 32)))
        (br $block)))
    (global.set $pos (local.get $pos))
    (global.set $lines (local.get $lines))
    (global.set $prevNl (i32.sub (i32.add (local.get $lastPos) (i32.const 31)) (i32.clz (local.get $lastMask))))
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
)
