// The Plugins page's logic: state badges, the capability review (what is
// ticked, and the grant it makes), the configuration editor's drafts and
// values, and how counts and latencies read.

import { parseError, capitalize } from './errors';

/** A capability as the Go side describes it (app.CapabilityView). */
export interface Capability {
  kind: string;
  hosts?: string[];
  methods?: string[];
  collections?: string[];
  nsids?: string[];
  description?: string;
}

export type Tone = 'ok' | 'danger' | 'warn' | '';

export interface Badge {
  label: string;
  tone: Tone;
  /** title explains the badge in a sentence. */
  title: string;
}

/** stateBadge names a plugin's state. */
export function stateBadge(state: string): Badge {
  switch (state) {
    case 'enabled':
      return { label: 'Enabled', tone: 'ok', title: 'It runs on what its hooks are given, with the capabilities you granted.' };
    case 'disabled':
      return { label: 'Disabled', tone: '', title: 'It is installed but never called.' };
    case 'failed':
      return { label: 'Failed', tone: 'danger', title: 'It failed too many times in a row and was stopped. Enable it again once fixed.' };
  }
  return { label: state || 'Unknown', tone: '', title: '' };
}

/** unverifiedBadge marks a sideloaded plugin. */
export const unverifiedBadge: Badge = {
  label: 'Unverified',
  tone: 'warn',
  title: 'Installed from a folder or file on this computer: nobody vouched for it. Enable it only if you trust where it came from.',
};

/** The list of a capability the review lets one tick item by item. */
export type ListName = 'hosts' | 'collections' | 'nsids';

/** subList returns the tickable list of a capability, if it has one. */
export function subList(c: Capability): { name: ListName; items: string[]; label: string } | null {
  switch (c.kind) {
    case 'http:fetch':
      return { name: 'hosts', items: c.hosts ?? [], label: 'Hosts' };
    case 'record:read':
      return { name: 'collections', items: c.collections ?? [], label: 'Collections' };
    case 'xrpc:register':
      return { name: 'nsids', items: c.nsids ?? [], label: 'Methods' };
  }
  return null;
}

/**
 * Ticks are the review's checkboxes: per kind, the capability and its
 * list's items, and (for a plugin declaring hosts = ["*"], whose target is
 * the user's choice) the hosts the user typed.
 */
export type Ticks = Record<string, { on: boolean; items: Record<string, boolean>; extra?: string }>;

/** ANY_HOST is the declared host meaning "whatever host the user grants". */
export const ANY_HOST = '*';

/** asksForHosts reports whether the user must name the hosts (hosts = ["*"]). */
export function asksForHosts(c: Capability): boolean {
  return c.kind === 'http:fetch' && (c.hosts ?? []).includes(ANY_HOST);
}

/**
 * initialTicks ticks everything declared except "any host": that one is
 * never granted unless the user ticks it, and a plugin that declares it
 * gets http:fetch only once the user names a host or ticks it.
 */
export function initialTicks(declared: Capability[]): Ticks {
  const t: Ticks = {};
  for (const c of declared) {
    const items: Record<string, boolean> = {};
    for (const i of subList(c)?.items ?? []) items[i] = i !== ANY_HOST;
    const list = subList(c);
    const on = list === null || list.items.length === 0 || Object.values(items).some(Boolean);
    t[c.kind] = asksForHosts(c) ? { on, items, extra: '' } : { on, items };
  }
  return t;
}

/** typedHosts splits what the user typed into host names. */
export function typedHosts(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((h) => h !== '' && h !== ANY_HOST);
}

/** setTypedHosts records the hosts the user typed; any host ticks the capability. */
export function setTypedHosts(t: Ticks, kind: string, text: string): Ticks {
  const cur = t[kind];
  if (!cur) return t;
  const on = typedHosts(text).length > 0 || Object.values(cur.items).some(Boolean);
  return { ...t, [kind]: { ...cur, on, extra: text } };
}

/** tickCapability ticks or unticks a whole capability (and its items with it). */
export function tickCapability(t: Ticks, kind: string, on: boolean): Ticks {
  const cur = t[kind];
  if (!cur) return t;
  const items: Record<string, boolean> = {};
  for (const i of Object.keys(cur.items)) items[i] = on;
  return { ...t, [kind]: { ...cur, on: on && (Object.keys(cur.items).length === 0 || Object.values(items).some(Boolean) || typedHosts(cur.extra).length > 0), items } };
}

/**
 * tickItem ticks or unticks one host, collection or method; unticking the
 * last one unticks the capability, ticking one ticks it again.
 */
export function tickItem(t: Ticks, kind: string, item: string, on: boolean): Ticks {
  const cur = t[kind];
  if (!cur || !(item in cur.items)) return t;
  const items = { ...cur.items, [item]: on };
  return { ...t, [kind]: { ...cur, on: Object.values(items).some(Boolean) || typedHosts(cur.extra).length > 0, items } };
}

/**
 * grantFrom is what EnablePlugin gets: each ticked capability, its list
 * narrowed to the ticked items. A capability with a list and no item
 * ticked is left out (an empty list would mean "all declared").
 */
export function grantFrom(declared: Capability[], t: Ticks): Capability[] {
  const out: Capability[] = [];
  for (const c of declared) {
    const tk = t[c.kind];
    if (!tk || !tk.on) continue;
    const g: Capability = { kind: c.kind };
    if (c.methods && c.methods.length > 0) g.methods = [...c.methods];
    const list = subList(c);
    if (list && list.items.length > 0) {
      const ticked = list.items.filter((i) => tk.items[i]);
      if (list.name === 'hosts') ticked.push(...typedHosts(tk.extra).filter((h) => !ticked.includes(h)));
      if (ticked.length === 0) continue;
      g[list.name] = ticked;
    }
    out.push(g);
  }
  return out;
}

/** grantSummary says what the grant gives, for the review. */
export function grantSummary(declared: Capability[], t: Ticks): string {
  if (declared.length === 0) return 'It asks for no capabilities.';
  const g = grantFrom(declared, t);
  const noun = (n: number) => (n === 1 ? 'capability' : 'capabilities');
  const narrowed = g.some((c) => {
    const list = subList(c);
    const all = declared.find((d) => d.kind === c.kind);
    return list !== null && all !== undefined && list.items.length < (subList(all)?.items.length ?? 0);
  });
  if (g.length === 0) return 'Grants none of the capabilities it asks for.';
  if (g.length === declared.length && !narrowed) return `Grants all ${g.length} ${noun(g.length)} it asks for.`;
  return `Grants ${g.length} of the ${declared.length} ${noun(declared.length)} it asks for${narrowed ? ', some narrowed' : ''}.`;
}

/** itemWords says what a list item covers ("*.example.org" → "any host under example.org"). */
export function itemWords(list: ListName, item: string): string {
  if (list === 'hosts' && item === ANY_HOST) return 'any host at all';
  if (list === 'hosts') return item.startsWith('*.') ? `any host under ${item.slice(2)}` : item;
  if (item === '*') return list === 'collections' ? 'every collection' : 'every method';
  if (item.endsWith('.*')) return `everything under ${item.slice(0, -2)}`;
  return item;
}

/** formatLatency reads microseconds as µs, ms or s; "—" before any call. */
export function formatLatency(micros: number, calls: number): string {
  if (!calls || !Number.isFinite(micros) || micros <= 0) return '—';
  if (micros < 1000) return `${micros < 10 ? micros.toFixed(1) : Math.round(micros)} µs`;
  if (micros < 1_000_000) return `${(micros / 1000).toFixed(micros < 10_000 ? 1 : 0)} ms`;
  return `${(micros / 1_000_000).toFixed(2)} s`;
}

/** kibWords reads a size in KiB, as MiB when it is a whole number of them. */
export function kibWords(kib: number): string {
  return kib >= 1024 && kib % 1024 === 0 ? `${kib / 1024} MiB` : `${kib} KiB`;
}

/** countWords reads "1 call", "12 calls". */
export function countWords(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** A configuration field as the Go side describes it (app.ConfigFieldView). */
export interface ConfigField {
  key: string;
  type: string;
  default: unknown;
  value: unknown;
  set: boolean;
}

/** A draft is what a field's control holds: text, or a bool for a checkbox. */
export type Draft = string | boolean;

/** draftOf turns a value into its control's content (string[] one per line). */
export function draftOf(type: string, value: unknown): Draft {
  switch (type) {
    case 'bool':
      return value === true;
    case 'string[]':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'int':
    case 'number':
      return typeof value === 'number' ? String(value) : '';
  }
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

/** drafts fills the editor from the current values. */
export function drafts(fields: ConfigField[]): Record<string, Draft> {
  const d: Record<string, Draft> = {};
  for (const f of fields) d[f.key] = draftOf(f.type, f.value);
  return d;
}

/** parseDraft reads a control's content as its type, or says what is wrong. */
export function parseDraft(type: string, draft: Draft): { value: unknown } | { error: string } {
  const text = typeof draft === 'string' ? draft.trim() : '';
  switch (type) {
    case 'bool':
      return { value: draft === true };
    case 'string[]':
      return {
        value: (typeof draft === 'string' ? draft : '')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      };
    case 'int':
      if (!/^-?\d+$/.test(text)) return { error: 'Type a whole number' };
      if (!Number.isSafeInteger(Number(text))) return { error: 'That number is too large' };
      return { value: Number(text) };
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { error: 'Type a number' };
      return { value: n };
    }
  }
  return { value: typeof draft === 'string' ? draft : '' };
}

/**
 * configChanges reads the editor: the values that differ from the current
 * ones (only those are sent, so the others keep following their default),
 * and a problem per field that does not read as its type.
 */
export function configChanges(fields: ConfigField[], d: Record<string, Draft>): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = parseDraft(f.type, d[f.key] ?? draftOf(f.type, f.value));
    if ('error' in r) errors[f.key] = r.error;
    else if (JSON.stringify(r.value) !== JSON.stringify(f.value ?? null)) values[f.key] = r.value;
  }
  return { values, errors };
}

/** typeHint says how to fill a field of a type. */
export function typeHint(type: string): string {
  switch (type) {
    case 'string[]':
      return 'One per line.';
    case 'int':
      return 'A whole number.';
    case 'number':
      return 'A number.';
    case 'bool':
      return '';
  }
  return 'Text.';
}

/** defaultWords shows a field's default ("none" for an empty one). */
export function defaultWords(type: string, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (type === 'bool') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (value === '') return 'empty';
  return String(value);
}

/**
 * fieldOfError finds the configuration field a refusal names ("… field
 * banned: value is not of type string[] (InvalidConfig)") and what is wrong.
 */
export function fieldOfError(err: unknown, keys: string[]): { key: string; message: string } | null {
  const p = parseError(err);
  if (!p.field || !keys.includes(p.field)) return null;
  return { key: p.field, message: capitalize(p.fieldMessage ?? p.words) };
}

/** serverStopped tells a stopped server's error from others. */
export function serverStopped(err: unknown): boolean {
  return /server is stopped/i.test(parseError(err).words);
}


/** shortHash shows the start of a SHA-256. */
export function shortHash(h: string): string {
  return h.length > 16 ? h.slice(0, 16) + '…' : h;
}
