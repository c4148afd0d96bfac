/** Reading IC-OS election proposals: governance (default, trustless) or the dashboard API. */
export * from './endpoints.js';
export * from './governance.js';
export * from './dashboard.js';
export { ProposalError, isProposalError, type ProposalErrorKind } from '../../../protocol/nns/errors.js';
export type { ElectionProposal } from '../../../protocol/nns/types.js';
export * from './show.js';
export * from './validate.js';
