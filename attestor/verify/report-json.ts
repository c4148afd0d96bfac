/**
 * The certified report is the canister's canonical report JSON; `report` prints its CLI view
 * (protocol/report-json.ts), so it shows exactly the bytes whose hash the IC certified.
 */
import { reportView, type ReportJson } from '../../protocol/report-json.js';
import { TrustError } from './trust-error.js';

/** The certified report text → the CLI view; text that is not a JSON object is a trust failure. */
export function certifiedReportView(text: string): ReportJson {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TrustError('report', 'the certified report is not a JSON object');
  return reportView(v as Record<string, unknown>);
}
