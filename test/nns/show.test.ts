/** `proposal show` core: source selection, human rendering, error -> exit code mapping. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { asCliError, proposalKind, readProposal, renderProposal } from '../../attestor/icos/proposal/show.js';
import { CliError } from '../../attestor/cli/errors.js';
import { ProposalError } from '../../protocol/nns/errors.js';
import { parseDashboardProposal } from '../../protocol/nns/proposal.js';

const fixtureText = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/dashboard/${name}`, import.meta.url)), 'utf8');
const guest = parseDashboardProposal(JSON.parse(fixtureText('proposal-139201-guestos.json')));
const host = parseDashboardProposal(JSON.parse(fixtureText('proposal-139202-hostos.json')));
const bless = parseDashboardProposal(JSON.parse(fixtureText('proposal-68820-bless.json')));

describe('proposal show', () => {
  it('names the type, older shapes included', () => {
    assert.equal(proposalKind(guest), 'GuestOS election (ReviseElectedGuestosVersions, NNS function 38)');
    assert.equal(proposalKind(host), 'HostOS election (ReviseElectedHostosVersions, NNS function 50)');
    assert.equal(proposalKind(bless), 'GuestOS election (BlessReplicaVersion, NNS function 5)');
  });

  it('renders commit, hash, every URL and measurement on their own lines', () => {
    const text = renderProposal(guest);
    for (const v of [guest.commit!, guest.sha256!, ...guest.urls, ...guest.launchMeasurements]) {
      assert.ok(text.split('\n').some((l) => l.trim().endsWith(v)), `missing ${v}`);
    }
    assert.match(text, /status: +open/);
    assert.match(text, /deadline: +2025-11-24T13:20:00Z/);
    assert.doesNotMatch(renderProposal(host), /launch measurements/);
  });

  it('reads from the dashboard source', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixtureText('proposal-139202-hostos.json'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const p = await readProposal('139202', { source: 'dashboard', dashboardUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3` });
      assert.deepEqual(p, host);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('governance source without an agent is an input error', async () => {
    await assert.rejects(readProposal('1', { source: 'governance' }), (e: unknown) => e instanceof ProposalError && e.kind === 'bad-input');
  });

  it('maps errors to exit codes: network 3, the rest 2', () => {
    const net = asCliError(new ProposalError('network', 'down'));
    const nf = asCliError(new ProposalError('not-found', 'gone'));
    const ni = asCliError(new ProposalError('not-icos', 'motion'));
    assert.ok(net instanceof CliError && net.exitCode === 3);
    assert.ok(nf instanceof CliError && nf.exitCode === 2 && nf.message === 'gone');
    assert.ok(ni instanceof CliError && ni.exitCode === 2);
    const other = new Error('x');
    assert.equal(asCliError(other), other);
  });
});
