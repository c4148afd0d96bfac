/** Every certified head a command sees is held against the last one seen, then remembered. */
import { bytesToHex } from '../../protocol/bytes.js';
import type { AttestationsClient } from '../client/client.js';
import { defaultHeadsPath, latestHead, readHeads, recordHead } from './heads.js';
import { checkAgainstSeen, type HeadRelation, type VerifiedHead } from './tree-head.js';

export async function rememberHead(client: AttestationsClient, head: VerifiedHead, opts: { stateDir?: string; headsFile?: string }): Promise<HeadRelation> {
  const path = opts.headsFile ?? defaultHeadsPath(opts.stateDir ?? '.icos-attest', client.canisterId, new Uint8Array(client.agent.rootKey ?? new Uint8Array()));
  const file = readHeads(path, client.canisterId);
  const relation = await checkAgainstSeen(client, latestHead(file), head);
  recordHead(path, file, { size: head.size.toString(), root: bytesToHex(head.root), certificateTimeNs: head.timeNs.toString() });
  return relation;
}
