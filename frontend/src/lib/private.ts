// Words and checks for the Private page: key fingerprints and recovery
// codes made readable, what each step of the set-up is, the key history in
// plain words, and what the forms can check before asking the Go side
// (which checks everything again).

import { person, whoProblem } from './delegation';

/** groupKeyID shows a key ID (24 base32 characters) in groups of four. */
export function groupKeyID(keyId: string): string {
  const s = (keyId ?? '').replace(/\s+/g, '');
  return (s.match(/.{1,4}/g) ?? []).join(' ');
}

/** recoveryGroups splits a recovery code ("AEAA-CAQD-…") into its groups. */
export function recoveryGroups(code: string): string[] {
  return (code ?? '').split(/[-\s]+/).filter(Boolean);
}

const base32 = /^[A-Z2-7]*$/;

/**
 * normalizeRecoveryCode reads a typed code as the Go side does: case,
 * spaces and dashes do not matter, and 0, 1 and 8 are read as O, I and B.
 */
export function normalizeRecoveryCode(input: string): string {
  return (input ?? '')
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
}

/** recoveryCodeLength is the number of characters of a recovery code. */
export const recoveryCodeLength = 64;

/** recoveryCodeProblem says what is plainly wrong with a typed code, or "". */
export function recoveryCodeProblem(input: string): string {
  const s = normalizeRecoveryCode(input);
  if (s === '') return 'Type the recovery code you wrote down';
  if (!base32.test(s)) return 'A recovery code has only the letters A to Z and the digits 2 to 7';
  if (s.length !== recoveryCodeLength) return `A recovery code has ${recoveryCodeLength} characters (16 groups of four); this has ${s.length}`;
  return '';
}

/** minBackupPassphrase matches the Go side's minimum. */
export const minBackupPassphrase = 12;

/** backupPassphraseProblem checks the backup form, or returns "". */
export function backupPassphraseProblem(passphrase: string, again: string): string {
  if ([...passphrase].length < minBackupPassphrase) return `Choose a passphrase of at least ${minBackupPassphrase} characters`;
  if (passphrase !== again) return 'The two passphrases differ';
  return '';
}

/** The set-up steps of the key card, in order. */
export type KeyStep = 'recover' | 'create' | 'confirm' | 'warning' | 'ready';

/** StatusLike is what keyStep needs of the Go side's PrivateStatus. */
export interface StatusLike {
  hasIdentity: boolean;
  needsRecovery: boolean;
  recoveryConfirmedAt: string;
  warningAcknowledgedAt: string;
}

/**
 * keyStep says what the key card asks for next: recovery when the account
 * has a key this computer cannot open, then a key, then the recovery code
 * written down, then the warning read; "ready" lets the page write.
 */
export function keyStep(s: StatusLike): KeyStep {
  if (s.needsRecovery) return 'recover';
  if (!s.hasIdentity) return 'create';
  if (!s.recoveryConfirmedAt) return 'confirm';
  if (!s.warningAcknowledgedAt) return 'warning';
  return 'ready';
}

/** The warning shown before the first private write. */
export const lossWarning =
  'Private records are encrypted with a key that only you hold. If you lose both your recovery code and your passphrase backup ' +
  '(and this computer’s copy of the key), nobody can decrypt your private records again: not you, not Hearth, not anyone.';

/** What revoking can and cannot undo, said before revoking. */
export const revokeStatement =
  'People you revoke keep whatever they already downloaded; they cannot read anything written from now on; ' +
  'hard revoke also re-encrypts older records so a copied database is useless to them.';

/** epochsText names a set of key epochs briefly: "epoch 1", "epochs 1–3", "epochs 1, 3–4". */
export function epochsText(epochs: number[] | null | undefined): string {
  const es = [...new Set(epochs ?? [])].sort((x, y) => x - y);
  if (es.length === 0) return 'no epoch';
  const runs: string[] = [];
  let start = es[0];
  let prev = es[0];
  for (const e of [...es.slice(1), NaN]) {
    if (e === prev + 1) {
      prev = e;
      continue;
    }
    runs.push(start === prev ? String(start) : `${start}–${prev}`);
    start = prev = e;
  }
  return (es.length === 1 ? 'epoch ' : 'epochs ') + runs.join(', ');
}

/** RotationLike is what rotationWhat needs of a PrivateRotation. */
export interface RotationLike {
  reason: string;
  revoked?: { did: string; handle: string }[] | null;
}

/** rotationWhat says what started a key epoch, in plain words. */
export function rotationWhat(r: RotationLike): string {
  const who = (r.revoked ?? []).map((p) => person(p.handle, p.did)).join(', ');
  switch (r.reason) {
    case 'create':
      return 'First key of the collection';
    case 'revoke':
      return who ? `Access revoked: ${who}` : 'Access revoked';
    case 'rotate':
      return who ? `New key: ${who} changed keys, the old one was revoked` : 'Key rotated';
  }
  return r.reason;
}

/** GranteeKeyLike is what keyCheckText needs of a GranteeKeyInfo. */
export interface GranteeKeyLike {
  did: string;
  handle: string;
  keyId: string;
  previousKeyId: string;
  keyChanged: boolean;
  alreadyGranted: boolean;
}

/** keyCheckText explains the fingerprint the owner is asked to compare. */
export function keyCheckText(k: GranteeKeyLike): string {
  const who = person(k.handle, k.did);
  if (k.keyChanged) {
    return `${who} now publishes a different key than the one you shared with. This happens when they set up a new device or recovered their key — or when someone else took over their account. Ask them, another way than here, which key ID their app shows before you re-seal the collection to it.`;
  }
  if (k.alreadyGranted) return `${who} can already read this collection with this key.`;
  return `Ask ${who} which key ID their app shows (another way than here: in person, by phone). Give access only if it matches.`;
}

/** RevokeResultLike is what revokeResultText needs. */
export interface RevokeResultLike {
  epoch: number;
  resealed: number;
  reencrypted: number;
}

/** revokeResultText says what a revocation did. */
export function revokeResultText(who: string, r: RevokeResultLike): string {
  const others = Math.max(0, r.resealed - 1);
  const sealed = others === 0 ? 'only you hold it' : `sealed to you and ${others} ${others === 1 ? 'other person' : 'other people'}`;
  const again = r.reencrypted > 0 ? ` ${r.reencrypted} older ${r.reencrypted === 1 ? 'record was' : 'records were'} re-encrypted under it.` : '';
  return `${who} can no longer read this collection. New key: epoch ${r.epoch}, ${sealed}.${again}`;
}

/** rotateResultText says what a rotation did. */
export function rotateResultText(r: RevokeResultLike): string {
  const again = r.reencrypted > 0 ? ` ${r.reencrypted} older ${r.reencrypted === 1 ? 'record was' : 'records were'} re-encrypted under it.` : '';
  return `New key: epoch ${r.epoch}.${again}`;
}

const nsid = /^[a-zA-Z]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?)+\.[a-zA-Z][a-zA-Z0-9]{0,62}$/;

/** collectionProblem says what is plainly wrong with a collection name, or "". */
export function collectionProblem(name: string): string {
  const s = name.trim();
  if (s === '') return 'Name the collection, like com.example.diary.entry';
  if (!nsid.test(s) || s.split('.').length < 3) return 'A collection name has at least three parts separated by dots, like com.example.diary.entry';
  if (s === 'dev.hearthpds.crypto.encryptionKey') return 'That is your public key’s collection: it stays public';
  return '';
}

/** newPrivateRecordTemplate is the JSON a new private record starts with. */
export function newPrivateRecordTemplate(collection: string, now: Date = new Date()): string {
  const c = collection.trim() || 'com.example.diary.entry';
  return JSON.stringify({ $type: c, text: '', createdAt: now.toISOString() }, null, 2);
}

/** didIn finds the first DID in a text (an error naming whose key changed), or "". */
export function didIn(text: string): string {
  const m = /did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._%-]/.exec(text ?? '');
  return m ? m[0] : '';
}

/** What "Shared with me" says about the records it shows. */
export const sharedStatement =
  'Records someone shared with you are fetched from their server and decrypted here, on this computer, with your own key: ' +
  'neither their server nor yours can read them. You can only read them; the person who shared them can stop sharing at any time.';

/** sharedFormProblem checks the "Shared with me" form (whose collection, which collection), or returns "". */
export function sharedFormProblem(owner: string, collection: string): string {
  return whoProblem(owner) || collectionProblem(collection);
}

/** SharedRefLike is what the helpers below need of a SharedRef or a SharedCollection. */
export interface SharedRefLike {
  ownerDid: string;
  ownerHandle: string;
  collection: string;
}

/** sharedRefLabel names a shared collection: "com.example.recipe.card from @olive.test". */
export function sharedRefLabel(r: SharedRefLike): string {
  return `${r.collection} from ${person(r.ownerHandle, r.ownerDid)}`;
}

/** sameShared tells whether two name the same owner's same collection. */
export function sameShared(a: SharedRefLike | null | undefined, b: SharedRefLike | null | undefined): boolean {
  return !!a && !!b && a.ownerDid === b.ownerDid && a.collection === b.collection;
}

