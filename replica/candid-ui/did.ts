/**
 * A Candid service description (the `candid:service` text) read into @dfinity/candid IDL types,
 * keeping what the IDL types drop: each method's argument names (`(proposal: nat64)`), so the
 * Candid UI can label its inputs. Pure: runs in the browser bundle and in Node tests.
 * Covers the Candid type grammar (type definitions, recursion, record/variant with named,
 * numbered and positional fields, opt/vec/blob/principal, func and service references, query
 * and composite_query annotations); imports are refused (a canister's metadata has none).
 */
import { IDL } from '@dfinity/candid';

export class DidError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at character ${offset})`);
  }
}

export interface DidArg {
  /** The argument's name in the .did, or null when unnamed. */
  name: string | null;
  type: IDL.Type;
}

export interface DidMethod {
  name: string;
  args: DidArg[];
  rets: IDL.Type[];
  annotations: string[];
  func: IDL.FuncClass;
}

export interface DidService {
  methods: DidMethod[];
  service: IDL.ServiceClass;
}

type Tok = { kind: 'id' | 'num' | 'text' | 'sym'; value: string; at: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { const j = src.indexOf('\n', i); i = j < 0 ? src.length : j + 1; continue; }
    if (src.startsWith('/*', i)) { const j = src.indexOf('*/', i + 2); if (j < 0) throw new DidError('unterminated comment', i); i = j + 2; continue; }
    if (src.startsWith('->', i)) { out.push({ kind: 'sym', value: '->', at: i }); i += 2; continue; }
    if ('{}();:,='.includes(c)) { out.push({ kind: 'sym', value: c, at: i }); i++; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256));
    if (id) { out.push({ kind: 'id', value: id[0], at: i }); i += id[0].length; continue; }
    const num = /^(0x[0-9a-fA-F_]+|[0-9][0-9_]*)/.exec(src.slice(i, i + 64));
    if (num) { out.push({ kind: 'num', value: num[0].replace(/_/g, ''), at: i }); i += num[0].length; continue; }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const n = src[j + 1];
          const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };
          if (n in simple) { s += simple[n]; j += 2; continue; }
          const hex = /^[0-9a-fA-F]{2}/.exec(src.slice(j + 1, j + 3));
          if (hex) { s += String.fromCharCode(parseInt(hex[0], 16)); j += 3; continue; }
          const u = /^u\{([0-9a-fA-F_]+)\}/.exec(src.slice(j + 1, j + 16));
          if (u) { s += String.fromCodePoint(parseInt(u[1].replace(/_/g, ''), 16)); j += 1 + u[0].length; continue; }
          throw new DidError('bad escape in text', j);
        }
        s += src[j++];
      }
      if (j >= src.length) throw new DidError('unterminated text', i);
      out.push({ kind: 'text', value: s, at: i });
      i = j + 1;
      continue;
    }
    throw new DidError(`unexpected character ${JSON.stringify(c)}`, i);
  }
  return out;
}

/** The type syntax tree; names are resolved after all definitions are read. */
type Ast =
  | { t: 'prim'; name: string }
  | { t: 'ref'; name: string; at: number }
  | { t: 'opt' | 'vec'; of: Ast }
  | { t: 'record' | 'variant'; fields: [string, Ast][] }
  | { t: 'func'; args: { name: string | null; type: Ast }[]; rets: Ast[]; ann: string[] }
  | { t: 'service'; methods: [string, Ast][] };

const PRIMS = new Set(['nat', 'nat8', 'nat16', 'nat32', 'nat64', 'int', 'int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'bool', 'text', 'null', 'reserved', 'empty', 'principal']);
const KEYWORDS = new Set(['type', 'import', 'service', 'func', 'opt', 'vec', 'record', 'variant', 'blob', 'query', 'oneway', 'composite_query', ...PRIMS]);

class Parser {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  /** Where the current token starts; at the end, just past the last one. */
  at(): number { return this.peek()?.at ?? (this.toks.length === 0 ? 0 : this.toks[this.toks.length - 1].at + this.toks[this.toks.length - 1].value.length); }
  isSym(v: string, o = 0): boolean { const t = this.peek(o); return t?.kind === 'sym' && t.value === v; }
  isId(v: string): boolean { const t = this.peek(); return t?.kind === 'id' && t.value === v; }
  sym(v: string): void { if (!this.isSym(v)) throw new DidError(`expected "${v}"`, this.at()); this.i++; }
  id(): string { const t = this.peek(); if (t?.kind !== 'id') throw new DidError('expected a name', this.at()); this.i++; return t.value; }
  name(): string { const t = this.peek(); if (t?.kind === 'id' || t?.kind === 'text') { this.i++; return t.value; } throw new DidError('expected a name', this.at()); }

  datatype(): Ast {
    const t = this.peek();
    if (t?.kind !== 'id') throw new DidError('expected a type', this.at());
    this.i++;
    switch (t.value) {
      case 'opt': return { t: 'opt', of: this.datatype() };
      case 'vec': return { t: 'vec', of: this.datatype() };
      case 'blob': return { t: 'vec', of: { t: 'prim', name: 'nat8' } };
      case 'record': return { t: 'record', fields: this.fields(false) };
      case 'variant': return { t: 'variant', fields: this.fields(true) };
      case 'func': return this.functype();
      case 'service': return { t: 'service', methods: this.actortype() };
      default: return PRIMS.has(t.value) ? { t: 'prim', name: t.value } : { t: 'ref', name: t.value, at: t.at };
    }
  }

  fields(variant: boolean): [string, Ast][] {
    this.sym('{');
    const out: [string, Ast][] = [];
    let pos = 0;
    while (!this.isSym('}')) {
      const t = this.peek();
      let label: string;
      let type: Ast;
      if ((t?.kind === 'id' || t?.kind === 'text' || t?.kind === 'num') && this.isSym(':', 1)) {
        this.i += 2;
        label = t.kind === 'num' ? `_${Number(t.value)}_` : t.value;
        type = this.datatype();
        if (t.kind === 'num') pos = Number(t.value) + 1;
      } else if (variant && (t?.kind === 'id' || t?.kind === 'text' || t?.kind === 'num') && (this.isSym(';', 1) || this.isSym('}', 1))) {
        this.i++;
        label = t.kind === 'num' ? `_${Number(t.value)}_` : t.value;
        type = { t: 'prim', name: 'null' };
      } else {
        label = `_${pos++}_`;
        type = this.datatype();
      }
      out.push([label, type]);
      if (!this.isSym('}')) this.sym(';');
    }
    this.sym('}');
    return out;
  }

  tuple(named: boolean): { name: string | null; type: Ast }[] {
    this.sym('(');
    const out: { name: string | null; type: Ast }[] = [];
    while (!this.isSym(')')) {
      const t = this.peek();
      let name: string | null = null;
      if ((t?.kind === 'id' && !KEYWORDS.has(t.value)) || t?.kind === 'text') {
        if (this.isSym(':', 1)) { name = t.value; this.i += 2; }
      } else if (t?.kind === 'id' && this.isSym(':', 1)) { name = t.value; this.i += 2; }
      if (name !== null && !named) name = null;
      out.push({ name, type: this.datatype() });
      if (!this.isSym(')')) this.sym(',');
    }
    this.sym(')');
    return out;
  }

  functype(): Ast {
    const args = this.tuple(true);
    this.sym('->');
    const rets = this.tuple(false).map((r) => r.type);
    const ann: string[] = [];
    while (this.isId('query') || this.isId('oneway') || this.isId('composite_query')) ann.push(this.id());
    return { t: 'func', args, rets, ann };
  }

  actortype(): [string, Ast][] {
    this.sym('{');
    const out: [string, Ast][] = [];
    while (!this.isSym('}')) {
      const name = this.name();
      this.sym(':');
      out.push([name, this.isSym('(') ? this.functype() : { t: 'ref', name: this.id(), at: this.at() }]);
      if (!this.isSym('}')) this.sym(';');
    }
    this.sym('}');
    return out;
  }

  program(): { defs: Map<string, Ast>; service: [string, Ast][] | null } {
    const defs = new Map<string, Ast>();
    let service: [string, Ast][] | null = null;
    while (this.peek() !== undefined) {
      if (this.isId('import')) throw new DidError('imports are not supported', this.at());
      if (this.isId('type')) {
        this.i++;
        const name = this.id();
        this.sym('=');
        defs.set(name, this.datatype());
      } else if (this.isId('service')) {
        this.i++;
        if (this.peek()?.kind === 'id' && !this.isSym(':')) this.i++; // service name
        this.sym(':');
        if (this.isSym('(')) { this.tuple(true); this.sym('->'); } // init arguments: not needed to call methods
        if (this.isSym('{')) service = this.actortype();
        else {
          const ref = this.id();
          const def = defs.get(ref);
          if (def?.t !== 'service') throw new DidError(`${ref} is not a service type`, this.at());
          service = def.methods;
        }
      } else throw new DidError('expected "type" or "service"', this.at());
      if (this.isSym(';')) this.i++;
    }
    return { defs, service };
  }
}

function primType(name: string): IDL.Type {
  const m: Record<string, IDL.Type> = {
    nat: IDL.Nat, nat8: IDL.Nat8, nat16: IDL.Nat16, nat32: IDL.Nat32, nat64: IDL.Nat64,
    int: IDL.Int, int8: IDL.Int8, int16: IDL.Int16, int32: IDL.Int32, int64: IDL.Int64,
    float32: IDL.Float32, float64: IDL.Float64, bool: IDL.Bool, text: IDL.Text, null: IDL.Null,
    reserved: IDL.Reserved, empty: IDL.Empty, principal: IDL.Principal
  };
  return m[name];
}

export function parseDid(src: string): DidService {
  const { defs, service } = new Parser(tokenize(src)).program();
  if (service === null) throw new DidError('no service in the interface', src.length);
  const done = new Map<string, IDL.Type>();
  const pending = new Map<string, IDL.RecClass | null>();

  const resolve = (name: string, at: number): IDL.Type => {
    const hit = done.get(name);
    if (hit) return hit;
    if (pending.has(name)) {
      let rec = pending.get(name) ?? null;
      if (rec === null) { rec = IDL.Rec(); pending.set(name, rec); }
      return rec;
    }
    const def = defs.get(name);
    if (def === undefined) throw new DidError(`unknown type ${name}`, at);
    pending.set(name, null);
    const t = build(def);
    const rec = pending.get(name) ?? null;
    pending.delete(name);
    if (rec !== null) { rec.fill(t as IDL.ConstructType); done.set(name, rec); return rec; }
    done.set(name, t);
    return t;
  };

  const funcOf = (a: Extract<Ast, { t: 'func' }>): IDL.FuncClass =>
    IDL.Func(a.args.map((x) => build(x.type)) as [IDL.Type], a.rets.map(build) as [IDL.Type], a.ann as ('query' | 'oneway' | 'composite_query')[]);

  const build = (a: Ast): IDL.Type => {
    switch (a.t) {
      case 'prim': return primType(a.name);
      case 'ref': return resolve(a.name, a.at);
      case 'opt': return IDL.Opt(build(a.of));
      case 'vec': return IDL.Vec(build(a.of));
      case 'record':
        // record { A; B } (fields 0, 1, … in order) is a tuple: its values are arrays.
        if (a.fields.length > 0 && a.fields.every(([k], i) => k === `_${i}_`)) return IDL.Tuple(...a.fields.map(([, v]) => build(v)));
        return IDL.Record(Object.fromEntries(a.fields.map(([k, v]) => [k, build(v)])));
      case 'variant': return IDL.Variant(Object.fromEntries(a.fields.map(([k, v]) => [k, build(v)])));
      case 'func': return funcOf(a);
      case 'service': return IDL.Service(Object.fromEntries(a.methods.map(([k, v]) => [k, build(v) as IDL.FuncClass])));
    }
  };

  const methods: DidMethod[] = service.map(([name, ast]) => {
    let f: Ast = ast;
    if (f.t === 'ref') {
      const def = defs.get(f.name);
      if (def === undefined) throw new DidError(`unknown type ${f.name}`, f.at);
      f = def;
    }
    if (f.t !== 'func') throw new DidError(`method ${name} is not a function`, 0);
    const func = funcOf(f);
    return { name, args: f.args.map((x, i) => ({ name: x.name, type: func.argTypes[i] })), rets: func.retTypes, annotations: f.ann, func };
  });
  return { methods, service: IDL.Service(Object.fromEntries(methods.map((m) => [m.name, m.func]))) };
}
