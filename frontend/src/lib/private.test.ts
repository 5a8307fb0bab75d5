import { describe, expect, it } from 'vitest';
import {
  backupPassphraseProblem,
  collectionProblem,
  didIn,
  epochsText,
  groupKeyID,
  keyCheckText,
  keyStep,
  newPrivateRecordTemplate,
  normalizeRecoveryCode,
  recoveryCodeProblem,
  recoveryGroups,
  revokeResultText,
  revokeStatement,
  rotateResultText,
  rotationWhat,
  sameShared,
  sharedFormProblem,
  sharedRefLabel,
  sharedStatement,
} from './private';

// The recovery code of backend/privacy/crypt's test vector (seed 00 01 … 1f).
const vector = 'AEAA-CAQD-AQCQ-MBYI-BEFA-WDAN-BYHR-AEIS-CMKB-KFQX-DAMR-UGY4-DUPB-72BI-JBH3-4EBB';

describe('key IDs and recovery codes', () => {
  it('groups a key ID in fours', () => {
    expect(groupKeyID('ABCDEFGHIJKLMNOPQRSTUVWX')).toBe('ABCD EFGH IJKL MNOP QRST UVWX');
    expect(groupKeyID('')).toBe('');
  });

  it('splits a recovery code into its sixteen groups', () => {
    const groups = recoveryGroups(vector);
    expect(groups).toHaveLength(16);
    expect(groups[0]).toBe('AEAA');
    expect(groups[15]).toBe('4EBB');
    expect(recoveryGroups('')).toEqual([]);
  });

  it('reads a typed code as the Go side does', () => {
    expect(normalizeRecoveryCode(vector.toLowerCase().replace(/-/g, ' '))).toBe(vector.replace(/-/g, ''));
    // 0, 1 and 8 are read as O, I and B.
    expect(normalizeRecoveryCode('a0-b1 c8')).toBe('AOBICB');
    expect(recoveryCodeProblem(vector)).toBe('');
    expect(recoveryCodeProblem(vector.replace('AEAA', 'AEA0'))).toBe('');
    expect(recoveryCodeProblem('')).toMatch(/^Type the recovery code/);
    expect(recoveryCodeProblem(vector.slice(0, 20))).toMatch(/64 characters .* this has 16$/);
    expect(recoveryCodeProblem(vector.replace('AEAA', 'AE!A'))).toMatch(/only the letters A to Z and the digits 2 to 7/);
  });

  it('checks the backup passphrase', () => {
    expect(backupPassphraseProblem('short', 'short')).toMatch(/at least 12 characters/);
    expect(backupPassphraseProblem('a long passphrase', 'a long passphrasf')).toBe('The two passphrases differ');
    expect(backupPassphraseProblem('a long passphrase', 'a long passphrase')).toBe('');
    // Characters, not UTF-16 units.
    expect(backupPassphraseProblem('🔑🔑🔑🔑🔑🔑', '🔑🔑🔑🔑🔑🔑')).toMatch(/at least 12/);
  });
});

describe('the set-up steps', () => {
  const none = { hasIdentity: false, needsRecovery: false, recoveryConfirmedAt: '', warningAcknowledgedAt: '' };
  it('goes key, code, warning, ready', () => {
    expect(keyStep(none)).toBe('create');
    expect(keyStep({ ...none, hasIdentity: true })).toBe('confirm');
    expect(keyStep({ ...none, hasIdentity: true, recoveryConfirmedAt: '2026-11-25T03:00:00Z' })).toBe('warning');
    expect(keyStep({ ...none, hasIdentity: true, recoveryConfirmedAt: 'x', warningAcknowledgedAt: 'y' })).toBe('ready');
  });
  it('asks for recovery first when the key cannot be opened here', () => {
    expect(keyStep({ ...none, hasIdentity: true, needsRecovery: true, recoveryConfirmedAt: 'x', warningAcknowledgedAt: 'y' })).toBe('recover');
    expect(keyStep({ ...none, needsRecovery: true })).toBe('recover');
  });
});

describe('history and sharing in words', () => {
  it('names epochs in runs', () => {
    expect(epochsText([1])).toBe('epoch 1');
    expect(epochsText([3, 1, 2])).toBe('epochs 1–3');
    expect(epochsText([1, 3, 4, 6])).toBe('epochs 1, 3–4, 6');
    expect(epochsText([])).toBe('no epoch');
    expect(epochsText(null)).toBe('no epoch');
  });

  it('says what started each epoch', () => {
    expect(rotationWhat({ reason: 'create' })).toBe('First key of the collection');
    expect(rotationWhat({ reason: 'revoke', revoked: [{ did: 'did:plc:carol', handle: 'carol.test' }] })).toBe('Access revoked: @carol.test');
    expect(rotationWhat({ reason: 'revoke', revoked: [] })).toBe('Access revoked');
    expect(rotationWhat({ reason: 'rotate', revoked: [] })).toBe('Key rotated');
    expect(rotationWhat({ reason: 'rotate', revoked: [{ did: 'did:plc:bob', handle: '' }] })).toMatch(/^New key: did:plc:bob changed keys/);
  });

  it('explains the key check', () => {
    const k = { did: 'did:plc:bob', handle: 'bob.test', keyId: 'K2', previousKeyId: '', keyChanged: false, alreadyGranted: false };
    expect(keyCheckText(k)).toMatch(/^Ask @bob\.test which key ID their app shows/);
    expect(keyCheckText({ ...k, previousKeyId: 'K1', keyChanged: true })).toMatch(/^@bob\.test now publishes a different key/);
    expect(keyCheckText({ ...k, previousKeyId: 'K2', alreadyGranted: true })).toMatch(/can already read/);
  });

  it('says what a revocation did, and what it cannot undo', () => {
    expect(revokeResultText('@carol.test', { epoch: 3, resealed: 2, reencrypted: 2 })).toBe(
      '@carol.test can no longer read this collection. New key: epoch 3, sealed to you and 1 other person. 2 older records were re-encrypted under it.',
    );
    expect(revokeResultText('@carol.test', { epoch: 2, resealed: 1, reencrypted: 0 })).toBe(
      '@carol.test can no longer read this collection. New key: epoch 2, only you hold it.',
    );
    expect(rotateResultText({ epoch: 5, resealed: 3, reencrypted: 1 })).toBe('New key: epoch 5. 1 older record was re-encrypted under it.');
    expect(revokeStatement).toMatch(/keep whatever they already downloaded; they cannot read anything written from now on; hard revoke also re-encrypts/);
  });
});

describe('errors', () => {
  it('finds the DID an error names', () => {
    expect(didIn('Someone … (did:plc:ewvi7nxzyoun6zhxrhs64oiz now publishes K2, granted K1): check (KeyChanged)')).toBe('did:plc:ewvi7nxzyoun6zhxrhs64oiz');
    expect(didIn('did:web:example.com: key changed')).toBe('did:web:example.com');
    expect(didIn('no DID here')).toBe('');
  });
});

describe('forms', () => {
  it('checks a collection name', () => {
    expect(collectionProblem('com.example.diary.entry')).toBe('');
    expect(collectionProblem('')).toMatch(/^Name the collection/);
    expect(collectionProblem('diary')).toMatch(/three parts/);
    expect(collectionProblem('com.example')).toMatch(/three parts/);
    expect(collectionProblem('com..example.x')).toMatch(/three parts/);
    expect(collectionProblem('dev.hearthpds.crypto.encryptionKey')).toMatch(/stays public/);
  });

  it('starts a new record with its type and a time', () => {
    const now = new Date('2026-11-25T03:00:00Z');
    expect(JSON.parse(newPrivateRecordTemplate(' com.example.diary.entry ', now))).toEqual({
      $type: 'com.example.diary.entry',
      text: '',
      createdAt: '2026-11-25T03:00:00.000Z',
    });
    expect(JSON.parse(newPrivateRecordTemplate('', now)).$type).toBe('com.example.diary.entry');
  });
});

describe('shared with me', () => {
  const olive = { ownerDid: 'did:plc:olive', ownerHandle: 'olive.test', collection: 'com.example.recipe.card' };

  it('checks the form before asking the Go side', () => {
    expect(sharedFormProblem('olive.test', 'com.example.recipe.card')).toBe('');
    expect(sharedFormProblem(' @olive.test ', ' com.example.recipe.card ')).toBe('');
    expect(sharedFormProblem('did:plc:abcdefghijklmnopqrstuvwx', 'com.example.recipe.card')).toBe('');
    expect(sharedFormProblem('', 'com.example.recipe.card')).toMatch(/handle/);
    expect(sharedFormProblem('olive', 'com.example.recipe.card')).toMatch(/dot/);
    expect(sharedFormProblem('olive.test', '')).toMatch(/^Name the collection/);
    expect(sharedFormProblem('olive.test', 'recipes')).toMatch(/three parts/);
  });

  it('names a shared collection by its owner’s handle, else DID', () => {
    expect(sharedRefLabel(olive)).toBe('com.example.recipe.card from @olive.test');
    expect(sharedRefLabel({ ...olive, ownerHandle: '' })).toBe('com.example.recipe.card from did:plc:olive');
  });

  it('tells the same owner’s same collection', () => {
    expect(sameShared(olive, { ...olive, ownerHandle: '' })).toBe(true);
    expect(sameShared(olive, { ...olive, collection: 'com.example.other.thing' })).toBe(false);
    expect(sameShared(olive, { ...olive, ownerDid: 'did:plc:olga' })).toBe(false);
    expect(sameShared(olive, null)).toBe(false);
  });

  it('says the records are decrypted here with your key', () => {
    expect(sharedStatement).toMatch(/decrypted here, on this computer, with your own key/);
  });
});

