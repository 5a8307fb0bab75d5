// Words for the Delegation page: presets, audit log rows, people. The Go
// side says what a scope allows, line by line (scopes.Describe); this file
// only names things and checks what the forms can check before asking.

import { isDID, normalizeHandle, handleProblem } from './handle';

export const presetNames = ['owner', 'admin', 'editor', 'viewer'] as const;
export type PresetName = (typeof presetNames)[number];

const presetTitles: Record<string, string> = {
  owner: 'Owner: everything, including your handle and identity',
  admin: 'Admin: everything except your handle and identity',
  editor: 'Editor: write records and upload files',
  viewer: 'Viewer: see your hosting status only',
  custom: 'Custom permissions',
};

/** presetTitle names a preset in plain words ("custom" included). */
export function presetTitle(preset: string): string {
  return presetTitles[preset] ?? `Preset “${preset}”`;
}

/** presetShort is the preset's name for a tight place ("Editor"). */
export function presetShort(preset: string): string {
  if (!preset) return '—';
  return preset[0].toUpperCase() + preset.slice(1);
}

/** person shows an account: "@handle", else its DID. */
export function person(handle: string | null | undefined, did: string): string {
  return handle ? '@' + handle : did;
}

/** whoProblem says what is plainly wrong with a "handle or DID" entry, or "". */
export function whoProblem(input: string): string {
  const s = input.trim();
  if (s === '') return 'Give their handle (like alice.example.com) or DID (did:plc:…)';
  if (s.startsWith('did:')) return isDID(s) ? '' : 'That DID is not written right: it looks like did:plc:abc123…';
  const h = normalizeHandle(s);
  if (!h.includes('.')) return 'A handle has a dot in it, like alice.example.com';
  return handleProblem(h);
}

/** Rights is what the forms send: a preset, or a custom scope. */
export interface Rights {
  preset: string;
  scope: string;
}

/**
 * rightsOf turns a form's choice into what the Go side takes: a preset
 * name with no scope, or (for "custom") the scope with its spaces tidied.
 */
export function rightsOf(choice: string, customScope: string): Rights {
  if (choice === 'custom') return { preset: '', scope: customScope.trim().split(/\s+/).filter(Boolean).join(' ') };
  return { preset: choice, scope: '' };
}

/** customScopeProblem says what is plainly wrong with a custom scope, or "". */
export function customScopeProblem(scope: string): string {
  const tokens = scope.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 'Write the permissions, separated by spaces, starting with atproto';
  if (!tokens.includes('atproto')) return 'A scope always includes atproto';
  return '';
}

export const auditKinds = ['grant.add', 'grant.update', 'grant.revoke', 'token.issued', 'write'] as const;

const kindTitles: Record<string, string> = {
  'grant.add': 'Access given',
  'grant.update': 'Access changed',
  'grant.revoke': 'Access revoked',
  'token.issued': 'Signed in as you',
  write: 'Wrote to your repository',
};

/** kindTitle names an audit entry kind in plain words. */
export function kindTitle(kind: string): string {
  return kindTitles[kind] ?? kind;
}

/**
 * clientLabel names an OAuth client for a table cell: its host for a
 * client_id URL, "a development app on this computer" for the
 * http://localhost form (whose client_id is long and says little).
 */
export function clientLabel(clientId: string): string {
  if (/^http:\/\/localhost([/?#]|$)/.test(clientId)) return 'a development app on this computer';
  try {
    return new URL(clientId).host || clientId;
  } catch {
    return clientId;
  }
}

/** AuditRow is what auditWhat needs of an audit entry. */
export interface AuditRow {
  kind: string;
  preset?: string;
  scope?: string;
  previousScope?: string;
  clientId?: string;
  method?: string;
  collection?: string;
  rkey?: string;
  action?: string;
}

const actionWords: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted' };

/** auditWhat says what an audit entry was, beyond its kind. */
export function auditWhat(e: AuditRow): string {
  switch (e.kind) {
    case 'grant.add':
      return e.preset ? `as ${presetShort(e.preset).toLowerCase()}` : '';
    case 'grant.update':
      return e.preset ? `now ${presetShort(e.preset).toLowerCase()}` : '';
    case 'grant.revoke':
      return e.preset ? `was ${presetShort(e.preset).toLowerCase()}` : '';
    case 'token.issued':
      return e.clientId ? `through ${clientLabel(e.clientId)}` : '';
    case 'write': {
      const path = [e.collection, e.rkey].filter(Boolean).join('/');
      const verb = (e.action && actionWords[e.action]) || e.action || 'wrote';
      return [verb, path].filter(Boolean).join(' ') + (e.clientId ? ` through ${clientLabel(e.clientId)}` : '');
    }
  }
  return '';
}
