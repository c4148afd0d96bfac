import { IDL, query, update, msgCaller, StableBTreeMap, time, trap } from 'azle';

export default class {
  counter = 0n;
  notes = new StableBTreeMap<string, string>(0);

  @query([], IDL.Text)
  whoami(): string { return msgCaller().toText(); }

  @update([IDL.Text, IDL.Text], IDL.Nat64)
  put(k: string, v: string): bigint { this.notes.insert(k, v); this.counter += 1n; return this.counter; }

  @query([IDL.Text], IDL.Opt(IDL.Text))
  get(k: string): [] | [string] { const v = this.notes.get(k); return v === undefined ? [] : [v]; }

  @update([IDL.Text])
  boom(k: string): void { this.notes.insert(k, 'x'); trap('boom'); }

  @query([], IDL.Nat64)
  now(): bigint { return time(); }
}
