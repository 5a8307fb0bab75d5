import { describe, expect, it } from 'vitest';
import { fullHandle, handleProblem, isDID, normalizeHandle } from './handle';

describe('handles in the first-run form', () => {
  it('normalizes what people type', () => {
    expect(normalizeHandle('  @Alice.Test ')).toBe('alice.test');
    expect(normalizeHandle('')).toBe('');
  });

  it('puts a bare name under the first handle domain', () => {
    expect(fullHandle('alice', ['.test', '.example.com'])).toBe('alice.test');
    expect(fullHandle('Alice', ['example.com'])).toBe('alice.example.com');
    expect(fullHandle('@bob', ['.test'])).toBe('bob.test');
  });

  it('keeps a full handle and a name without domains', () => {
    expect(fullHandle('alice.example.org', ['.test'])).toBe('alice.example.org');
    expect(fullHandle('alice', [])).toBe('alice');
    expect(fullHandle('   ', ['.test'])).toBe('');
  });

  it('says what is plainly wrong', () => {
    expect(handleProblem('alice.test')).toBe('');
    expect(handleProblem('')).toBe('');
    expect(handleProblem('al ice.test')).toMatch(/letters, digits/);
    expect(handleProblem('alice..test')).toMatch(/two dots/);
    expect(handleProblem('.alice.test')).toMatch(/dot/);
    expect(handleProblem('-alice.test')).toMatch(/hyphen/);
    expect(handleProblem('a'.repeat(64) + '.test')).toMatch(/63/);
  });

  it('tells a DID from a handle', () => {
    expect(isDID('did:plc:abcdefghijklmnopqrstuvwx')).toBe(true);
    expect(isDID('did:web:example.com')).toBe(true);
    expect(isDID('alice.test')).toBe(false);
  });
});
