/** A shields-style SVG badge: "IC-OS <proposal>" | verdict. */
import { escapeHtml } from './escape.js';

const COLORS: Record<string, string> = {
  reproduced: '#2e7d32',
  diverged: '#c62828',
  pending: '#9e9e9e',
  'not applicable': '#9e9e9e',
  'no attestations': '#9e9e9e'
};

export function badgeSvg(label: string, status: string): string {
  // Width from a fixed per-character estimate (Verdana 11px ≈ 7px); no font metrics needed.
  const lw = 10 + label.length * 7;
  const sw = 10 + status.length * 7;
  const color = COLORS[status] ?? '#9e9e9e';
  const l = escapeHtml(label);
  const s = escapeHtml(status);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + sw}" height="20" role="img" aria-label="${l}: ${s}">` +
    `<title>${l}: ${s}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${sw}" height="20" fill="${color}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="14">${l}</text><text x="${lw + sw / 2}" y="14">${s}</text></g></svg>`
  );
}
