/** identity new|import|show: the reviewer's dfx identity. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

import { action } from '../action.js';
import { inputError } from '../errors.js';
import { defaultIdentityName, newEd25519Pem, writeIdentityPem } from '../../identity/dfx.js';
import { agentIdentityFor } from '../../identity/load.js';
import { parsePrivateKeyPem } from '../../identity/pem.js';

/** JSON shape of identity new|import|show. */
export interface IdentityJson {
  name: string | null;
  principal: string;
  keyType: 'ed25519' | 'secp256k1';
  path: string;
}

const human = (j: IdentityJson) =>
  [`name:      ${j.name ?? '(--pem)'}`, `principal: ${j.principal}`, `key type:  ${j.keyType}`, `path:      ${j.path}`].join('\n');

export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description('the reviewer key: a dfx identity (Ed25519 or secp256k1)');

  identity
    .command('new')
    .argument('[name]', 'identity name (default: the dfx default identity name)')
    .description('create a new Ed25519 dfx identity (PEM with mode 0600; never overwrites)')
    .action(
      action(async (ctx, name?: string) => {
        const chosen = name ?? ctx.opts.identity ?? defaultIdentityName(ctx.env);
        const pem = newEd25519Pem();
        const parsed = parsePrivateKeyPem(pem);
        if (!parsed.ok) throw new Error('generated PEM does not parse');
        const path = writeIdentityPem(chosen, pem, ctx.env);
        const j: IdentityJson = { name: chosen, principal: agentIdentityFor(parsed.key).getPrincipal().toText(), keyType: 'ed25519', path };
        ctx.out.result(j, () => `created identity "${chosen}"\n${human(j)}`);
      })
    );

  identity
    .command('import')
    .argument('<name>', 'identity name')
    .argument('<pem>', 'PEM file (Ed25519 PKCS#8 or secp256k1 SEC1/PKCS#8, unencrypted)')
    .description('import a PEM file as a dfx identity')
    .action(
      action(async (ctx, name: string, file: string) => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw inputError(`cannot read PEM file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        const parsed = parsePrivateKeyPem(text);
        if (!parsed.ok) throw inputError(`${file}: ${parsed.error.message}`, { pemError: parsed.error.kind });
        const path = writeIdentityPem(name, text, ctx.env);
        const j: IdentityJson = { name, principal: agentIdentityFor(parsed.key).getPrincipal().toText(), keyType: parsed.key.keyType, path };
        ctx.out.result(j, () => `imported identity "${name}"\n${human(j)}`);
      })
    );

  identity
    .command('show')
    .description('show the selected identity (--identity, --pem, or the dfx default)')
    .action(
      action(async (ctx) => {
        const id = ctx.identity();
        const j: IdentityJson = { name: id.name, principal: id.principal, keyType: id.keyType, path: id.path };
        ctx.out.result(j, () => human(j));
      })
    );
}
