#!/usr/bin/env node
/**
 * Makes src/report/palette.json: one colour per category for the HTML report, in light and dark
 * mode, chosen so that every two differ. Greedy farthest-point choice in CIELAB (CIE76 distance) over
 * a 16-step sRGB grid, from four anchors that keep their usual meaning (success green, server red,
 * network orange, unregistered purple), within a lightness band that stands out from the page
 * background. `node scripts/palette.mjs` rewrites the file; test/cli/html-layout.test.ts checks it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const lin = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
/** sRGB hex -> CIELAB (D65). */
export function lab(hex) {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [lin(n >> 16), lin((n >> 8) & 255), lin(n & 255)];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b, z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
/** CIE76 colour distance. */
export const distance = (a, b) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

const hex = (...c) => '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
function choose(n, anchors, [lMin, lMax], background) {
  const candidates = [];
  for (let r = 0; r < 256; r += 17) for (let g = 0; g < 256; g += 17) for (let b = 0; b < 256; b += 17) {
    const h = hex(r, g, b);
    const l = lab(h)[0];
    if (l >= lMin && l <= lMax && distance(h, background) > 40) candidates.push(h);
  }
  const chosen = [...anchors];
  while (chosen.length < n) {
    let best = '';
    let bestD = -1;
    for (const c of candidates) {
      const d = Math.min(...chosen.map((x) => distance(x, c)));
      if (d > bestD) [best, bestD] = [c, d];
    }
    chosen.push(best);
  }
  return chosen;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const categories = Object.keys(JSON.parse(readFileSync(new URL('../src/registry/categories.json', import.meta.url), 'utf8')).categories);
  const first = ['success', 'server', 'network', 'unregistered'];
  const order = [...first, ...categories.filter((c) => !first.includes(c))];
  const light = choose(order.length, ['#2b8a3e', '#c92a2a', '#e8590c', '#9c36b5'], [30, 68], '#ffffff');
  const dark = choose(order.length, ['#69db7c', '#ff6b6b', '#ffa94d', '#e599f7'], [55, 90], '#0d1117');
  const out = {
    $comment: 'Made by scripts/palette.mjs: greedy farthest-point colours in CIELAB, so that every two categories differ; light mode on #ffffff, dark mode on #0d1117.',
    light: Object.fromEntries(order.map((c, i) => [c, light[i]])),
    dark: Object.fromEntries(order.map((c, i) => [c, dark[i]])),
  };
  writeFileSync(new URL('../src/report/palette.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
}
