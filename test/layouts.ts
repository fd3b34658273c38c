/** Which fields each `adb logcat -v` layout carries (AOSP logprint.cpp), for the parser tests. */
export type Layout = 'brief' | 'process' | 'tag' | 'thread' | 'raw' | 'time' | 'threadtime' | 'long';

export const LAYOUT_FIELDS: Record<Layout, { time: boolean; pid: boolean; tid: boolean; tag: boolean; level: boolean }> = {
  brief: { time: false, pid: true, tid: false, tag: true, level: true },
  process: { time: false, pid: true, tid: false, tag: true, level: true },
  tag: { time: false, pid: false, tid: false, tag: true, level: true },
  thread: { time: false, pid: true, tid: true, tag: false, level: true },
  raw: { time: false, pid: false, tid: false, tag: false, level: false },
  time: { time: true, pid: true, tid: false, tag: true, level: true },
  threadtime: { time: true, pid: true, tid: true, tag: true, level: true },
  long: { time: true, pid: true, tid: true, tag: true, level: true },
};
