/**
 * Labels from a bugreport's text: its header's `Build fingerprint:` line and the
 * `[ro.product.model]` line of its SYSTEM PROPERTIES section. The fingerprint is Android's
 * `BRAND/PRODUCT/DEVICE:RELEASE/ID/INCREMENTAL:TYPE/TAGS` (android.os.Build.FINGERPRINT).
 */
import type { Labels } from './labels.js';

const FINGERPRINT = /^Build fingerprint:\s*'?([^'/\s]+)\/([^/\s]+)\/([^:/\s]+):([^/\s]+)\/([^/\s]+)\/([^:\s]*):([^'\s]*)'?\s*$/;
const MODEL = /^\[ro\.product\.model\]:\s*\[([^\]]*)\]\s*$/;

/** The first bytes of the lines worth parsing, so that every other line costs one byte compare. */
export const HEADER_LINE_STARTS = new Set(['B'.charCodeAt(0), '['.charCodeAt(0)]);

/**
 * The labels one line of a bugreport gives: device, android and build from the fingerprint;
 * device from ro.product.model (the marketing name, "Pixel 7", over the fingerprint's "panther").
 */
export function bugreportLineLabels(line: string): Labels | null {
  const f = FINGERPRINT.exec(line);
  if (f) return { device: f[3]!, android: f[4]!, build: f[5]! };
  const m = MODEL.exec(line);
  if (m && m[1]!.trim()) return { device: m[1]!.trim() };
  return null;
}
