/**
 * The Candid UI page's script (bundled by esbuild, served by the local replica at
 * /_/candid/app.js): reads the canister's `candid:service` metadata over the IC HTTP interface
 * (read_state, certificate checked against the replica's root key), builds a form per method
 * with @dfinity/candid's candid-ui widgets, labelled with the argument names of the .did, and
 * calls the method as the anonymous principal. Queries answer; updates reach the canister as
 * anonymous and get its own refusal (no key ever reaches this page).
 */
import { Actor, AnonymousIdentity, CanisterStatus, HttpAgent } from '@dfinity/agent';
import { IDL, renderInput, type InputBox } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { parseDid, type DidMethod } from './did.js';

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** candid-ui's inputs sit next to a <label> it does not associate: name every control for assistive technology. */
function nameControls(root: HTMLElement, fallback: string): void {
  root.querySelectorAll('input, select, textarea').forEach((c, i) => {
    if (c.hasAttribute('aria-label') || c.id) return;
    let label: Element | null = c.previousElementSibling;
    while (label !== null && label.tagName !== 'LABEL') label = label.previousElementSibling;
    if (label === null) label = c.parentElement?.querySelector(':scope > label') ?? null;
    const text = (label?.textContent ?? '').trim();
    const kind = c.tagName === 'SELECT' ? 'choice' : (c as HTMLInputElement).type === 'checkbox' ? 'present (opt)' : 'value';
    c.setAttribute('aria-label', `${fallback}${text ? ` ${text}` : ''} ${kind}${i > 0 ? ` ${i + 1}` : ''}`);
  });
}

function show(value: unknown, types: IDL.Type[]): string {
  const values = types.length === 1 ? [value] : (value as unknown[]);
  return types.map((t, i) => t.valueToString(values[i])).join(',\n');
}

function methodSection(m: DidMethod, actor: Record<string, (...a: unknown[]) => Promise<unknown>>): HTMLElement {
  const query = m.annotations.includes('query') || m.annotations.includes('composite_query');
  const section = el('section', { class: 'method', id: `m-${m.name}`, 'aria-labelledby': `h-${m.name}` });
  const h = el('h2', { id: `h-${m.name}` });
  h.append(el('code', {}, m.name), document.createTextNode(query ? ' query' : ' update'));
  section.append(h);
  section.append(el('p', { class: 'sig' }, `(${m.args.map((a) => `${a.name ?? '_'}: ${a.type.display()}`).join(', ')}) → (${m.rets.map((r) => r.display()).join(', ')})`));
  const form = el('form', { 'aria-label': `${m.name} arguments` });
  const inputs: InputBox[] = m.args.map((a, i) => {
    const box = renderInput(a.type);
    box.label = `${a.name ?? `argument ${i + 1}`}: `;
    const field = el('div', { class: 'arg' });
    box.render(field);
    nameControls(field, a.name ?? `argument ${i + 1}`);
    form.append(field);
    // opt/variant/vec forms add controls when toggled: name those too.
    field.addEventListener('change', () => setTimeout(() => nameControls(field, a.name ?? `argument ${i + 1}`), 0));
    return box;
  });
  const button = el('button', { type: 'submit' }, query ? 'Query' : 'Call');
  form.append(button);
  const out = el('pre', { class: 'result', role: 'status', 'data-method': m.name, tabindex: '0', 'aria-label': `${m.name} result` });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const args = inputs.map((b) => b.parse());
    if (inputs.some((b) => b.isRejected())) {
      out.textContent = 'Some argument is not valid: see the messages above.';
      out.className = 'result err';
      return;
    }
    out.textContent = 'calling…';
    out.className = 'result';
    const started = performance.now();
    actor[m.name](...args).then(
      (v) => {
        out.textContent = `${show(v, m.rets)}\n\n(${Math.round(performance.now() - started)} ms)`;
        out.className = 'result ok';
      },
      (e: unknown) => {
        const note = query ? '' : '\n\nThis page calls as the anonymous principal: an update that needs a caller is refused by the canister. Use the CLI or dfx with your identity.';
        out.textContent = `Rejected: ${e instanceof Error ? e.message : String(e)}${note}`;
        out.className = 'result err';
      }
    );
  });
  section.append(form, out);
  return section;
}

async function main(): Promise<void> {
  const status = document.getElementById('status')!;
  const methods = document.getElementById('methods')!;
  const id = new URLSearchParams(location.search).get('id') ?? '';
  let canisterId: Principal;
  try {
    canisterId = Principal.fromText(id);
  } catch {
    status.textContent = `Not a canister id: ${JSON.stringify(id)}. Open /_/candid?id=<canister-id>.`;
    return;
  }
  const rootKey = hexBytes(document.querySelector('meta[name="ic-root-key"]')?.getAttribute('content') ?? '');
  const agent = HttpAgent.createSync({ host: location.origin, rootKey, identity: new AnonymousIdentity(), shouldFetchRootKey: false });
  const read = await CanisterStatus.request({ canisterId, agent, paths: ['candid'] });
  const did = read.get('candid');
  if (typeof did !== 'string') {
    status.textContent = `Canister ${id} has no public candid:service metadata.`;
    return;
  }
  const service = parseDid(did);
  const actor = Actor.createActor(() => service.service, { agent, canisterId }) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const nav = document.getElementById('toc')!;
  const list = el('ul');
  for (const m of service.methods) {
    const li = el('li');
    li.append(el('a', { href: `#m-${m.name}` }, m.name));
    list.append(li);
    methods.append(methodSection(m, actor));
  }
  nav.append(list);
  status.textContent = `${service.methods.length} methods of ${id}, read from its candid:service metadata (certified). Calls are made as the anonymous principal.`;
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  const status = document.getElementById('status');
  if (status) status.textContent = `Could not load the interface: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.ready = 'error';
});
