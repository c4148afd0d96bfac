/**
 * The canonical report JSON (protocol/report-json.ts) with the canister's memoised principal
 * conversions: a report names the same reviewers over and over.
 */
import type { ProposalReport } from '../../protocol/service.js';
import { reportFromJson as fromJson, reportJson as toJson } from '../../protocol/report-json.js';
import { principalFromText, principalText } from '../store/principals.js';

export const reportJson = (r: ProposalReport): unknown => toJson(r, principalText);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const reportFromJson = (j: any): ProposalReport => fromJson(j, principalFromText);
